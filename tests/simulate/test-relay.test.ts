import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { NostrEvent } from '../../exporter/model/nostr-event.js';
import { simulationKeys } from '../../exporter/simulate/index.js';
import { signEvent } from '../../exporter/simulate/signer.js';
import { startTestRelay, type TestRelay, type TestRelayOptions } from '../support/relay.js';

/** A bare NIP-01 client: frames in, frames out, so the relay's own behaviour is what is tested. */
class RawClient {
  readonly frames: unknown[][] = [];
  private waiters: { match: (frame: unknown[]) => boolean; resolve: (frame: unknown[]) => void }[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      let frame: unknown[];
      try {
        frame = JSON.parse(String(data)) as unknown[];
      } catch {
        frame = ['RAW', String(data)];
      }
      this.frames.push(frame);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.match(frame)) return true;
        waiter.resolve(frame);
        return false;
      });
    });
  }

  static async connect(url: string): Promise<RawClient> {
    const socket = new WebSocket(url);
    await once(socket, 'open');
    return new RawClient(socket);
  }

  /** The first matching frame received from index `from` on, or a failure after the deadline. */
  next(match: (frame: unknown[]) => boolean, deadlineMs = 5000, from = 0): Promise<unknown[]> {
    const seen = this.frames.slice(from).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching frame before the deadline')), deadlineMs);
      this.waiters.push({
        match,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
      });
    });
  }

  async publish(event: NostrEvent): Promise<[boolean, string]> {
    const from = this.frames.length;
    this.socket.send(JSON.stringify(['EVENT', event]));
    const ok = await this.next((f) => f[0] === 'OK' && f[1] === event.id, 5000, from);
    return [ok[2] as boolean, ok[3] as string];
  }

  async req(subscriptionId: string, ...filters: object[]): Promise<NostrEvent[]> {
    this.socket.send(JSON.stringify(['REQ', subscriptionId, ...filters]));
    await this.next((f) => (f[0] === 'EOSE' || f[0] === 'CLOSED') && f[1] === subscriptionId);
    return this.frames
      .filter((f) => f[0] === 'EVENT' && f[1] === subscriptionId)
      .map((f) => f[2] as NostrEvent);
  }

  close(): void {
    this.socket.terminate();
  }
}

const customer = simulationKeys(1).customers[0]!;
const now = Math.floor(Date.now() / 1000);
const note = (i: number, extra: Partial<NostrEvent> = {}) =>
  signEvent(
    { kind: 5300, created_at: now - 100 + i, tags: [['p', 'ab'.repeat(32)]], content: '', ...extra },
    customer,
  );

let relay: TestRelay | null = null;
let clients: RawClient[] = [];
async function setup(options?: TestRelayOptions): Promise<[TestRelay, RawClient]> {
  relay = await startTestRelay(options);
  const client = await RawClient.connect(relay.url);
  clients.push(client);
  return [relay, client];
}
afterEach(async () => {
  for (const client of clients) client.close();
  clients = [];
  await relay?.stop();
  relay = null;
});

describe('the test relay', () => {
  it('stores valid events, refuses forged and expired ones, reports duplicates', async () => {
    const [r, client] = await setup();
    const event = note(1);
    expect(await client.publish(event)).toEqual([true, '']);
    expect(await client.publish(event)).toEqual([true, 'duplicate: the event already exists']);
    const forged = note(2);
    expect(
      (await client.publish({ ...forged, sig: forged.sig.replace(/^./, (c) => (c === '0' ? '1' : '0')) }))[0],
    ).toBe(false);
    const expired = note(3, { tags: [['expiration', String(now - 10)]] });
    expect(await client.publish(expired)).toEqual([false, 'reject: event is expired']);
    expect(r.storedEvents().map((e) => e.id)).toEqual([event.id]);
  });

  it('applies deletions from the author instead of storing them', async () => {
    const [r, client] = await setup();
    const request = note(1);
    await client.publish(request);
    await client.publish(
      signEvent(
        { kind: 5, created_at: now, tags: [['e', request.id]], content: '' },
        simulationKeys(1).customers[1]!,
      ),
    );
    expect(r.storedEvents()).toHaveLength(1);
    await client.publish(
      signEvent({ kind: 5, created_at: now, tags: [['e', request.id]], content: '' }, customer),
    );
    expect(r.storedEvents()).toEqual([]);
  });

  it('caps the events one filter returns, and records every REQ', async () => {
    const [r, client] = await setup({ maxResultsPerFilter: 4 });
    for (let i = 0; i < 10; i++) await client.publish(note(i));
    const page = await client.req('page', { kinds: [5300], limit: 50 });
    expect(page.map((e) => e.created_at)).toEqual([now - 91, now - 92, now - 93, now - 94]);
    const older = await client.req('older', { kinds: [5300], until: now - 95 });
    expect(older).toHaveLength(4);
    expect(r.reqs.map((req) => req.subscriptionId)).toEqual(['page', 'older']);
    expect(r.reqs[0]!.filters).toEqual([{ kinds: [5300], limit: 50 }]);
  });

  it('answers a REQ over its validator limits with a NOTICE', async () => {
    const [, client] = await setup({ validator: { maxFilterKindsLength: 2 } });
    client.socket.send(JSON.stringify(['REQ', 'wide', { kinds: [5000, 5001, 5002] }]));
    const notice = await client.next((f) => f[0] === 'NOTICE');
    expect(String(notice[1])).toMatch(/^invalid/);
  });

  it('sends raw frames, drops connections, and keeps its events across a restart on the same port', async () => {
    const [r, client] = await setup();
    await client.publish(note(1));
    r.sendRaw('["NOTICE","slow down"]');
    r.sendRaw('not json at all');
    expect(await client.next((f) => f[0] === 'NOTICE')).toEqual(['NOTICE', 'slow down']);
    expect(await client.next((f) => f[0] === 'RAW')).toEqual(['RAW', 'not json at all']);

    const closed = once(client.socket, 'close');
    r.dropConnections();
    await closed;
    const again = await RawClient.connect(r.url);
    clients.push(again);
    expect(r.connectionCount()).toBe(1);

    const port = r.port;
    const closedByRestart = once(again.socket, 'close');
    await r.restart();
    await closedByRestart;
    expect(r.port).toBe(port);
    const afterRestart = await RawClient.connect(r.url);
    clients.push(afterRestart);
    expect(await afterRestart.req('all', {})).toHaveLength(1);
  });

  it('goes silent on open sockets: no replies, no pongs, still connected', async () => {
    const [r, client] = await setup();
    r.silence();
    let ponged = false;
    client.socket.on('pong', () => {
      ponged = true;
    });
    client.socket.ping();
    client.socket.send(JSON.stringify(['REQ', 'x', {}]));
    // A silent peer is only recognisable by what does not arrive: give it a generous window.
    await expect(client.next((f) => f[0] === 'EOSE', 500)).rejects.toThrow('deadline');
    expect(ponged).toBe(false);
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
    expect(r.connectionCount()).toBe(1);
  });

  it('refuses to start when asked for a port that is taken', async () => {
    const [r] = await setup();
    await expect(startTestRelay({ port: r.port })).rejects.toThrow(/EADDRINUSE/);
  });
});
