import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../exporter/store/store.js';
import { accepted, feed, pipelineEvents, scalar, simulatorItems, tempDataDir, testSink } from './helpers.js';

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

describe('the embedded store on disk', () => {
  it('leaves no merged-away parts behind at close: bytes per event stay bounded however small the inserts', {
    timeout: 120_000,
  }, async () => {
    const path = join(tempDataDir('disk'), 'clickhouse');
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
});
