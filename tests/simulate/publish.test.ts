import { AbstractRelay } from 'nostr-tools/relay';
import { setNostrWasm, verifyEvent } from 'nostr-tools/wasm';
import { initNostrWasm } from 'nostr-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SIM_DVMS, type SimulatedItem, simulate } from '../../exporter/simulate/index.js';
import { isEventShaped, publishItems, RelayUnreachableError } from '../../exporter/simulate/publish.js';
import { startTestRelay, type TestRelay } from '../support/relay.js';

setNostrWasm(await initNostrWasm());

/** A reader that checks what it gets back (with the wasm verifier: the pure-JS one is ~10x slower). */
function connectReader(url: string): Promise<AbstractRelay> {
  return AbstractRelay.connect(url, {
    verifyEvent,
    websocketImplementation: WebSocket as unknown as typeof globalThis.WebSocket,
  });
}

// Recent traffic, so that NIP-40 expiration tags (created_at + 600 s) have not passed yet.
const now = Math.floor(Date.now() / 1000);
const items: SimulatedItem[] = [
  ...simulate({
    seed: 5,
    start: now - 180,
    durationSeconds: 180,
    requestsPerMinute: 20,
    malformedShare: 0.08,
  }),
];

interface StoredShape {
  readonly id: string;
  readonly kind: number;
  readonly pubkey: string;
  readonly tags: readonly (readonly string[])[];
}

/**
 * What a relay keeps of what it accepted, in publication order: replaceable kinds keep the newest per
 * key; a deletion removes the author's events that are already there (and is not stored itself).
 */
function expectedStored(accepted: readonly StoredShape[]): Set<string> {
  const keep = new Map<string, StoredShape>();
  for (const event of accepted) {
    if (event.kind === 5) {
      for (const tag of event.tags) {
        const target = tag[0] === 'e' ? keep.get(tag[1]!) : undefined;
        if (target && target.pubkey === event.pubkey) keep.delete(target.id);
      }
      continue;
    }
    const d = event.tags.find((tag) => tag[0] === 'd')?.[1] ?? '';
    const key =
      event.kind >= 10_000 && event.kind < 20_000
        ? `${event.kind}:${event.pubkey}`
        : event.kind >= 30_000 && event.kind < 40_000
          ? `${event.kind}:${event.pubkey}:${d}`
          : event.id;
    keep.set(key, event); // the simulation is in time order: a later replaceable event is newer
  }
  return new Set([...keep.values()].map((event) => event.id));
}

describe('publishing to a real relay', () => {
  let relay: TestRelay;
  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(async () => {
    await relay.stop();
  });

  it('publishes every event, counts the relay refusals, skips what is not an event, and reads back', async () => {
    const summary = await publishItems(items, { url: relay.url });

    const shaped = items.filter((item) => isEventShaped(item.event));
    expect(summary.skipped).toBe(items.length - shaped.length);
    expect(summary.sent).toBe(shaped.length);
    expect(summary.failed).toBe(0);

    // The relay refuses exactly the edited and forged events.
    const refusedBySim = shaped.filter(
      (item) => item.expect.outcome === 'rejected' && ['bad_id', 'bad_sig'].includes(item.expect.reason),
    );
    const refusals = Object.values(summary.rejected).reduce((a, b) => a + b, 0);
    expect(refusals).toBe(refusedBySim.length);
    expect(Object.keys(summary.rejected).sort()).toEqual([
      'invalid: id is wrong',
      'invalid: signature is wrong',
    ]);
    expect(summary.duplicates).toBe(items.filter((item) => item.expect.outcome === 'duplicate').length);

    const valid = shaped.filter(
      (item) => item.expect.outcome !== 'duplicate' && !refusedBySim.includes(item),
    );
    expect(summary.accepted).toBe(valid.length);

    // Read back over the wire, paging with `until` past the relay's per-REQ cap.
    const reader = await connectReader(relay.url);
    const seen = new Map<string, StoredShape>();
    let until: number | undefined;
    for (;;) {
      const page = await new Promise<StoredShape[]>((resolve) => {
        const got: StoredShape[] = [];
        const sub = reader.subscribe([{ limit: 500, ...(until === undefined ? {} : { until }) }], {
          onevent: (event) => got.push(event),
          oneose: () => {
            sub.close();
            resolve(got);
          },
        });
      });
      const fresh = page.filter((event) => !seen.has(event.id));
      for (const event of page) seen.set(event.id, event);
      if (fresh.length === 0) break;
      until = Math.min(...page.map((event) => (event as unknown as { created_at: number }).created_at));
    }
    reader.close();

    const accepted = valid.map((item) => item.event as StoredShape);
    expect(new Set(seen.keys())).toEqual(expectedStored(accepted));
    expect(relay.storedEvents().length).toBe(seen.size);
  });

  it('fails clearly when the relay is unreachable', async () => {
    const down = await startTestRelay();
    const url = down.url;
    await down.stop();
    await expect(publishItems(items.slice(0, 3), { url, connectTimeoutMs: 2000 })).rejects.toBeInstanceOf(
      RelayUnreachableError,
    );
  });

  it('serves the same events again after a restart on the same port', async () => {
    const before = relay.storedEvents().length;
    const port = relay.port;
    await relay.restart();
    expect(relay.port).toBe(port);
    const reader = await connectReader(relay.url);
    const count = await new Promise<number>((resolve) => {
      let n = 0;
      const sub = reader.subscribe([{ kinds: [31990], authors: SIM_DVMS.map((dvm) => dvm.pubkey) }], {
        onevent: () => n++,
        oneose: () => {
          sub.close();
          resolve(n);
        },
      });
    });
    reader.close();
    expect(count).toBe(SIM_DVMS.length);
    expect(relay.storedEvents().length).toBe(before);
  });
});
