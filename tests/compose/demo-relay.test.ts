import type { ChildProcess } from 'node:child_process';
import { Relay, useWebSocketImplementation } from 'nostr-tools/relay';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
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
