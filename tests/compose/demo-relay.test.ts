import type { ChildProcess } from 'node:child_process';
import type { Filter } from 'nostr-tools/filter';
import { Relay, useWebSocketImplementation } from 'nostr-tools/relay';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { NostrEvent } from '../../exporter/model/nostr-event.js';
import { simulate } from '../../exporter/simulate/index.js';
import { publishItems } from '../../exporter/simulate/publish.js';
import { eventually, startProcess, stopProcess } from './support/process.js';

useWebSocketImplementation(WebSocket);

/** The stack's relay (provisioning/demo/relay.mjs), run as compose runs it, fed by the simulator. */

const RELAY_SCRIPT = 'provisioning/demo/relay.mjs';
let running: ChildProcess | null = null;

afterEach(async () => {
  if (running) await stopProcess(running);
  running = null;
});

async function startRelay(...flags: string[]): Promise<string> {
  const { child, match } = await startProcess(
    [RELAY_SCRIPT, '--listen', '127.0.0.1:0', ...flags],
    /listening on (ws:\/\/\S+)/,
  );
  running = child;
  return match[1]!;
}

async function countStored(url: string, kinds: number[]): Promise<number> {
  const relay = await Relay.connect(url);
  try {
    return await new Promise<number>((resolve) => {
      let count = 0;
      const sub = relay.subscribe([{ kinds, limit: 5000 }], {
        onevent: () => {
          count++;
        },
        oneose: () => {
          sub.close();
          resolve(count);
        },
      });
    });
  } finally {
    relay.close();
  }
}

async function storedEvents(url: string, filters: Filter[]): Promise<NostrEvent[]> {
  const relay = await Relay.connect(url);
  try {
    return await new Promise<NostrEvent[]>((resolve) => {
      const events: NostrEvent[] = [];
      const sub = relay.subscribe(filters, {
        onevent: (event) => {
          events.push(event);
        },
        oneose: () => {
          sub.close();
          resolve(events);
        },
      });
    });
  } finally {
    relay.close();
  }
}

describe('the stack relay', () => {
  it('answers NIP-11 on plain HTTP (the compose healthcheck)', async () => {
    const url = await startRelay();
    const response = await fetch(url.replace('ws://', 'http://'), {
      headers: { accept: 'application/nostr+json' },
    });
    expect(response.ok).toBe(true);
    expect(response.headers.get('content-type')).toBe('application/nostr+json');
    expect(await response.json()).toMatchObject({ supported_nips: expect.arrayContaining([1, 11]) });
  });

  it('takes the simulator traffic, refuses forged events, and serves what it stored', async () => {
    const url = await startRelay();
    const now = Math.floor(Date.now() / 1000);
    const items = [
      ...simulate({
        seed: 7,
        start: now - 300,
        durationSeconds: 300,
        requestsPerMinute: 12,
        malformedShare: 0.05,
      }),
    ];
    const summary = await publishItems(items, { url });
    const forged = items.filter(
      (i) =>
        i.expect.outcome === 'rejected' && (i.expect.reason === 'bad_id' || i.expect.reason === 'bad_sig'),
    ).length;
    expect(summary.failed).toBe(0);
    expect(summary.accepted).toBeGreaterThan(50);
    const refused = Object.values(summary.rejected).reduce((a, b) => a + b, 0);
    expect(refused).toBeGreaterThanOrEqual(forged);
    expect(await countStored(url, [5000, 5001, 5002, 5050, 5100, 5300, 6300, 7000])).toBeGreaterThan(0);
  });

  it('stores and serves kind 5 cancellations, live and to later subscribers, and keeps the cancelled requests', async () => {
    const url = await startRelay();
    const now = Math.floor(Date.now() / 1000);
    const items = [
      ...simulate({
        seed: 5,
        start: now - 900,
        durationSeconds: 900,
        requestsPerMinute: 20,
        malformedShare: 0,
        // Past traffic: with expiration tags the relay would refuse some of it as expired.
        expirationTags: false,
      }),
    ];
    const cancellations = new Map<string, NostrEvent>();
    for (const item of items)
      if (item.expect.outcome === 'accepted' && item.expect.role === 'cancellation') {
        const event = item.event as NostrEvent;
        cancellations.set(event.id, event);
      }
    expect(cancellations.size).toBeGreaterThan(3);

    // A subscriber connected before publishing sees each kind 5 as it arrives.
    const live = await Relay.connect(url);
    const seenLive = new Set<string>();
    live.subscribe([{ kinds: [5], since: now - 3600 }], {
      onevent: (event) => {
        seenLive.add(event.id);
      },
    });
    try {
      const summary = await publishItems(items, { url });
      expect(summary.failed).toBe(0);
      expect(summary.rejected).toEqual({});
      const ids = [...cancellations.keys()].sort();
      await eventually(async () => (seenLive.size >= ids.length ? true : undefined));
      expect([...seenLive].sort()).toEqual(ids);
    } finally {
      live.close();
    }

    // A later subscriber (an exporter's backfill) gets them from the store, with the requests they cancel.
    const stored = await storedEvents(url, [{ kinds: [5], limit: 5000 }]);
    expect(stored.map((e) => e.id).sort()).toEqual([...cancellations.keys()].sort());
    const cancelled = [...cancellations.values()].flatMap((e) =>
      e.tags.filter((t) => t[0] === 'e').map((t) => t[1]!),
    );
    const requests = await storedEvents(url, [{ ids: cancelled }]);
    expect(requests.map((e) => e.id).sort()).toEqual([...new Set(cancelled)].sort());
  }, 90_000);

  it('forgets events older than --keep-hours', async () => {
    const url = await startRelay('--keep-hours', '1', '--purge-interval-seconds', '1');
    const now = Math.floor(Date.now() / 1000);
    const old = [
      ...simulate({
        seed: 3,
        start: now - 3 * 3600,
        durationSeconds: 300,
        requestsPerMinute: 6,
        malformedShare: 0,
      }),
    ];
    const summary = await publishItems(old, { url });
    expect(summary.accepted).toBeGreaterThan(0);
    const remaining = await eventually(async () => {
      const n = await countStored(url, [7000]);
      return n === 0 ? n : undefined;
    });
    expect(remaining).toBe(0);
  });
});
