import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreCursorStore } from '../../exporter/store/cursor-store.js';
import { Store } from '../../exporter/store/store.js';
import {
  accepted,
  feed,
  pipelineEvents,
  rows,
  scalar,
  simulatorItems,
  tempDataDir,
  testSink,
} from './helpers.js';

/**
 * A writer killed with SIGKILL in the middle of its batches, then a restart that backfills from the
 * saved relay cursor (as the relay ingestion does): every event is stored, none is counted twice.
 */

const dataDir = tempDataDir('crash');
const RELAY = 'wss://crash.example';
const receivedAt = Math.floor(Date.now() / 1000);
const items = simulatorItems(1200, 5);
let store: Store | null = null;

afterAll(async () => {
  await store?.close();
});

/** Runs the writer in a child process and kills it after its `kills`-th saved cursor. */
function runAndKill(file: string, kills: number): Promise<{ saved: number[]; finished: boolean }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(import.meta.dirname, 'fixtures/crash-writer.ts'),
      dataDir,
      file,
      RELAY,
      String(receivedAt),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const saved: number[] = [];
  let finished = false;
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.startsWith('saved ')) saved.push(Number(line.slice(6)));
      if (line === 'done') finished = true;
      if (saved.length === kills || finished) child.kill('SIGKILL');
    }
  });
  return new Promise((resolve) => child.on('exit', () => resolve({ saved, finished })));
}

describe('a crash in the middle of a batch', () => {
  it('loses nothing and doubles nothing once the restart backfills from the saved cursor', async () => {
    const file = join(dataDir, 'traffic.jsonl');
    writeFileSync(file, items.map(({ at, line }) => JSON.stringify({ at, line })).join('\n'));
    const { saved, finished } = await runAndKill(file, 4);
    expect(finished).toBe(false);
    expect(saved.length).toBeGreaterThanOrEqual(4);

    store = await Store.open({ kind: 'embedded', path: `${dataDir}/clickhouse` });
    const everything = accepted(
      await pipelineEvents(items.map(({ line }) => ({ line, relay: RELAY, receivedAt }))),
    );
    const before = await scalar(store, 'SELECT count() FROM events FINAL');
    expect(before).toBeLessThan(everything.length);

    // The restart: resume from the stored cursor, re-reading everything created since.
    const cursor = (await new StoreCursorStore(store.client).load()).get(RELAY);
    expect(cursor).toBe(Math.max(...saved));
    // Events up to the cursor were written before it was saved.
    const covered = everything.filter((e) => e.event.event.created_at < (cursor as number)).length;
    expect(before).toBeGreaterThanOrEqual(covered);
    const backfill = items.filter(({ at }) => at >= (cursor as number));
    const sink = testSink(store);
    await feed(sink, await pipelineEvents(backfill.map(({ line }) => ({ line, relay: RELAY, receivedAt }))));
    await sink.flush();

    const byRole = new Map<string, number>();
    for (const e of everything) byRole.set(e.event.role, (byRole.get(e.event.role) ?? 0) + 1);
    expect(await scalar(store, 'SELECT count() FROM events FINAL')).toBe(everything.length);
    expect(await scalar(store, 'SELECT uniqExact(id) FROM events')).toBe(everything.length);
    // Derived answers count each event once even while copies still sit unmerged in the table.
    const daily = await rows<{ role: string; n: number }>(
      store,
      'SELECT role, uniqExactMerge(events) AS n FROM events_daily GROUP BY role ORDER BY role',
    );
    expect(daily).toEqual(
      [...byRole].sort(([a], [b]) => a.localeCompare(b)).map(([role, n]) => ({ role, n })),
    );
    const results = everything.filter((e) => e.event.role === 'result' && e.event.requestId !== null).length;
    expect(await scalar(store, 'SELECT sum(result_count) FROM job_responses')).toBe(results);
    expect(await scalar(store, 'SELECT countIf(request_seen) FROM jobs')).toBe(byRole.get('request'));
  }, 180_000);
});
