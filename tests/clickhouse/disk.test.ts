import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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

/** Disk use of the embedded store follows the data, not the number of inserts it took to write it. */

/** Bytes the files under `dir` take on disk (allocated blocks, as `du` counts). */
function diskBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const stats = statSync(join(entry.parentPath, entry.name));
    total += stats.blocks * 512;
  }
  return total;
}

const path = join(tempDataDir('disk'), 'clickhouse');

/** `SETTINGS a = 1, b = 2` at the end of a table's engine definition, as numbers. */
function tableSettings(engineFull: string): Map<string, number> {
  const list = engineFull.split(' SETTINGS ')[1] ?? '';
  return new Map(
    list
      .split(',')
      .map((pair) => pair.split('=').map((side) => side.trim()))
      .filter((pair): pair is [string, string] => pair.length === 2)
      .map(([name, value]) => [name, Number(value)]),
  );
}

describe('the embedded store on disk', () => {
  it('leaves no merged-away parts behind at close: bytes per event stay bounded however small the inserts', {
    timeout: 120_000,
  }, async () => {
    const now = Math.floor(Date.now() / 1000);
    const events = await pipelineEvents(
      simulatorItems(1200, 7).map(({ line }) => ({ line, relay: 'wss://r', receivedAt: now })),
    );
    const stored = accepted(events).length;
    let store = await Store.open({ kind: 'embedded', path }, { create: true });
    await store.migrate();
    const empty = diskBytes(path);
    // Tiny batches, as `run` writes them at a low event rate: hundreds of parts, merged as they come.
    const sink = testSink(store, { batchMaxRows: 50, flushIntervalMs: 5 });
    await feed(sink, events);
    await sink.flush();
    const outdatedWhileOpen = await scalar(
      store,
      'SELECT count() FROM system.parts WHERE active = 0 AND database = currentDatabase()',
    );
    await sink.close();
    const afterClose = diskBytes(path) - empty;
    store = await Store.open({ kind: 'embedded', path });
    try {
      // Nothing lost by the cleanup, and nothing outdated left for the next start.
      expect(await scalar(store, 'SELECT count() FROM events FINAL')).toBeGreaterThan(0);
      expect(
        await scalar(
          store,
          'SELECT count() FROM system.parts WHERE active = 0 AND database = currentDatabase()',
        ),
      ).toBe(0);
    } finally {
      await store.close();
    }
    // The test means something only if the engine left outdated parts while open.
    expect(outdatedWhileOpen).toBeGreaterThan(10);
    // About 100 KB per small part: left behind, they would be far above this bound.
    const perEvent = afterClose / stored;
    expect(perEvent).toBeLessThan(2_048);
    console.info(
      `embedded store: ${stored} events, ${afterClose} bytes after close, ${perEvent.toFixed(0)} B/event`,
    );
  });

  it('lets the engine remove outdated parts within seconds while it runs, on every MergeTree table', async () => {
    const created = await Store.open({ kind: 'embedded', path }, { create: true });
    await created.migrate();
    await created.close();
    // Reopened: the tables are attached from their stored definitions, as at every start of `run`.
    const store = await Store.open({ kind: 'embedded', path });
    try {
      const tables = await rows<{ name: string; engine_full: string }>(
        store,
        "SELECT name, engine_full FROM system.tables WHERE database = currentDatabase() AND engine LIKE '%MergeTree' ORDER BY name",
      );
      expect(tables.map((t) => t.name)).toEqual(
        expect.arrayContaining(['events', 'relay_sightings', 'dvm_daily']),
      );
      for (const { name, engine_full } of tables) {
        const settings = tableSettings(engine_full);
        const get = (key: string) => settings.get(key) ?? Number.NaN;
        // The cleanup task sleeps at most max(cleanup_delay_period, max_cleanup_delay_period) plus the
        // random add between passes (IMergeTreeCleanupThread::run); the defaults allow 310 s.
        const longestSleep =
          Math.max(get('cleanup_delay_period'), get('max_cleanup_delay_period')) +
          get('cleanup_delay_period_random_add');
        expect(longestSleep, name).toBeLessThanOrEqual(5);
        expect(get('merge_tree_clear_old_parts_interval_seconds'), name).toBeLessThanOrEqual(1);
        // A pass removes a part only once it has been outdated for old_parts_lifetime: the engine's
        // own value, not set per table.
        expect(settings.has('old_parts_lifetime'), name).toBe(false);
      }
      expect(
        await scalar(
          store,
          "SELECT toUInt32(value) FROM system.merge_tree_settings WHERE name = 'old_parts_lifetime'",
        ),
      ).toBe(0);
    } finally {
      await store.close();
    }
  });
});
