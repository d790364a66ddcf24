import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assembleReplay } from '../exporter/app/replay-assembly.js';
import { createLogger } from '../exporter/base/logger.js';
import { loadConfig } from '../exporter/config/load.js';
import { replayFiles } from '../exporter/sources/file-replay.js';
import { Store } from '../exporter/store/store.js';
import { embeddedStorePath } from '../exporter/store/target.js';
import { machineLine, peakRssMiB } from './machine.js';
import { simulatorFile } from './replay-throughput.js';

/**
 * The history store under `replay`: rows written per second, bytes stored per event (system.parts,
 * after merges), and replay events/s with the store on versus off, on the same simulator file.
 * Usage: store.ts [hours of traffic] [requests per minute] [rounds]
 */
export interface StoreBenchmark {
  readonly lines: number;
  readonly eventsStored: number;
  readonly storeOffEventsPerSecond: number;
  readonly storeOnEventsPerSecond: number;
  readonly rowsInserted: number;
  readonly rowsPerSecond: number;
  /** Input JSON per line, for scale. */
  readonly inputBytesPerLine: number;
  /** The `events` table alone, compressed on disk. */
  readonly eventBytesPerEvent: number;
  /** Every table (sightings, announcements, rollups, ...) per stored event. */
  readonly storeBytesPerEvent: number;
  readonly peakRssMiB: number;
}

async function replaySeconds(path: string, dataDir: string, store: boolean) {
  const config = loadConfig({ env: {}, overrides: { dataDir, clickhouse: { enabled: store } } });
  const assembly = await assembleReplay(config, { logger: createLogger('warn', false) });
  const started = process.hrtime.bigint();
  await replayFiles(assembly.pipeline, [path], () => {}, { verifyPool: assembly.verifyPool });
  // Closing flushes the store: the time includes writing every row.
  await assembly.close();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const inserted = assembly.registry.getSingleMetric('dvm_exporter_clickhouse_rows_inserted_total');
  const rows = inserted ? (await inserted.get()).values.reduce((sum, v) => sum + v.value, 0) : 0;
  return { seconds, lines: assembly.pipeline.summaryTotals().read, rows };
}

async function storedBytes(
  dataDir: string,
): Promise<{ events: number; eventBytes: number; totalBytes: number }> {
  const store = await Store.open({ kind: 'embedded', path: embeddedStorePath(dataDir) });
  try {
    // Merged as they would be after a while: copies collapsed, parts compressed together.
    await store.client.command({ query: 'OPTIMIZE TABLE events FINAL' });
    const result = await store.client.query({
      query: `SELECT
                (SELECT count() FROM events) AS events,
                sumIf(bytes_on_disk, table = 'events') AS event_bytes,
                sum(bytes_on_disk) AS total_bytes
              FROM system.parts WHERE active AND database = currentDatabase()`,
      format: 'JSONEachRow',
    });
    const [row] = await result.json<Record<string, string | number>>();
    return {
      events: Number(row?.events),
      eventBytes: Number(row?.event_bytes),
      totalBytes: Number(row?.total_bytes),
    };
  } finally {
    await store.close();
  }
}

/**
 * Store off and on alternate `rounds` times on the same file and the best round of each counts: on a
 * shared machine the best round is the one least disturbed by other work.
 */
export async function runStoreBenchmark(
  hours = 1,
  requestsPerMinute = 60,
  rounds = 2,
): Promise<StoreBenchmark> {
  const path = await simulatorFile(hours, requestsPerMinute);
  let off = Number.POSITIVE_INFINITY;
  let on: Awaited<ReturnType<typeof replaySeconds>> | null = null;
  let bytes: Awaited<ReturnType<typeof storedBytes>> | null = null;
  for (let round = 0; round < rounds; round++) {
    const offDir = mkdtempSync(join(tmpdir(), 'dvm-exporter-bench-off-'));
    off = Math.min(off, (await replaySeconds(path, offDir, false)).seconds);
    rmSync(offDir, { recursive: true, force: true });
    const dataDir = mkdtempSync(join(tmpdir(), 'dvm-exporter-bench-store-'));
    try {
      const run = await replaySeconds(path, dataDir, true);
      if (!on || run.seconds < on.seconds) on = run;
      bytes ??= await storedBytes(dataDir);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  if (!on || !bytes) throw new Error('no benchmark round ran');
  const input = readFileSync(path);
  return {
    lines: on.lines,
    eventsStored: bytes.events,
    storeOffEventsPerSecond: on.lines / off,
    storeOnEventsPerSecond: on.lines / on.seconds,
    rowsInserted: on.rows,
    rowsPerSecond: on.rows / on.seconds,
    inputBytesPerLine: input.length / on.lines,
    eventBytesPerEvent: bytes.eventBytes / bytes.events,
    storeBytesPerEvent: bytes.totalBytes / bytes.events,
    peakRssMiB: peakRssMiB(),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [hours, rate, rounds] = process.argv.slice(2).map(Number);
  const result = await runStoreBenchmark(hours || undefined, rate || undefined, rounds || undefined);
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(`machine: ${machineLine()}`);
  console.log(
    `store under replay (${fmt(result.lines)} simulator lines, ${fmt(result.eventsStored)} events stored)`,
  );
  console.log(`  replay, store off   ${fmt(result.storeOffEventsPerSecond)} events/s`);
  console.log(`  replay, store on    ${fmt(result.storeOnEventsPerSecond)} events/s`);
  console.log(`  rows written        ${fmt(result.rowsPerSecond)} rows/s (${fmt(result.rowsInserted)} rows)`);
  console.log(`  input               ${fmt(result.inputBytesPerLine)} bytes/line of JSON`);
  console.log(`  events table        ${fmt(result.eventBytesPerEvent)} bytes/event on disk`);
  console.log(`  whole store         ${fmt(result.storeBytesPerEvent)} bytes/event on disk`);
  console.log(`  peak RSS            ${result.peakRssMiB.toFixed(0)} MiB`);
}
