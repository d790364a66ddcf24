import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { assemble } from '../exporter/app/assemble.js';
import { systemClock } from '../exporter/base/clock.js';
import { EventTimeClock } from '../exporter/base/event-time-clock.js';
import { createLogger } from '../exporter/base/logger.js';
import { loadConfig } from '../exporter/config/load.js';
import { createVerifier } from '../exporter/model/verify.js';
import { DEFAULT_SIMULATION, simulate } from '../exporter/simulate/index.js';
import { clickhouseSinkFactory } from '../exporter/sinks/clickhouse/index.js';
import { machineLine } from './machine.js';

/**
 * Disk use of the embedded store under `run`-like ingestion: simulator traffic fed in real time at a
 * steady rate through the `run` assembly (micro-batches every second, as `run` writes them), the data
 * directory measured (`du`) every 30 s, at the end and after the store is closed.
 * Usage: store-disk.ts [--minutes N (2)] [--rate events/s (6)] [--flush-ms clickhouse.flushIntervalMs (1000)];
 * through `npm run bench`, BENCH_DISK_MINUTES sets the minutes (10 for a figure that covers the cleanup's whole cycle).
 */
export interface DiskBenchmark {
  readonly minutes: number;
  readonly events: number;
  /** Largest size seen while running, per event written so far at that moment. */
  readonly peakBytesPerEvent: number;
  /**
   * The same from the second minute on: a store created by this run has its tables made with the
   * engine's default cleanup period and altered by a later migration, which their first pass ignores.
   */
  readonly settledPeakBytesPerEvent: number;
  readonly bytesPerEventAtEnd: number;
  readonly bytesPerEventAfterClose: number;
  readonly bytesAfterClose: number;
}

const DEFAULT_MINUTES = 2;

/** `du -sk`; parts the engine removes while `du` walks make it complain, not miscount. */
function du(path: string): number {
  const { stdout } = spawnSync('du', ['-sk', path], { encoding: 'utf8' });
  return Number(stdout.split('\t')[0]) * 1024;
}

export async function runDiskBenchmark(
  minutes = DEFAULT_MINUTES,
  eventsPerSecond = 6,
  flushIntervalMs = 1_000,
): Promise<DiskBenchmark> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dvm-exporter-bench-disk-'));
  const now = Math.floor(Date.now() / 1000);
  const seconds = Math.round(minutes * 60);
  // Enough traffic for the whole run at the asked rate (the simulator's own rate is lower), dated in
  // the last hours so every event lands in the store (not refused as too old).
  const needed = seconds * eventsPerSecond;
  let lines: string[] = [];
  for (let span = seconds + 600; lines.length < needed; span *= 2) {
    lines = [...simulate({ ...DEFAULT_SIMULATION, start: now - span - 3600, durationSeconds: span })].map(
      (item) => item.line,
    );
  }
  const config = loadConfig({
    env: {},
    overrides: { dataDir, clickhouse: { enabled: true, flushIntervalMs } },
  });
  const assembly = await assemble({
    config,
    mode: 'run',
    logger: createLogger('warn', false),
    verifier: await createVerifier('wasm'),
    clock: new EventTimeClock(),
    wallClock: systemClock,
    sinks: [clickhouseSinkFactory],
  });
  const store = join(dataDir, 'clickhouse');
  let fed = 0;
  let peak = 0;
  let settledPeak = 0;
  const started = Date.now();
  const deadline = started + seconds * 1000;
  let nextSample = started + 30_000;
  try {
    while (Date.now() < deadline) {
      const due = Math.min(lines.length, Math.floor(((Date.now() - started) / 1000) * eventsPerSecond));
      while (fed < due) assembly.pipeline.ingestText(lines[fed++] as string, { relay: 'wss://bench' });
      if (Date.now() >= nextSample) {
        nextSample += 30_000;
        const bytes = du(store);
        peak = Math.max(peak, bytes / Math.max(1, fed));
        if (Date.now() - started > 60_000) settledPeak = Math.max(settledPeak, bytes / Math.max(1, fed));
        console.log(`  ${Math.round((Date.now() - started) / 1000)} s: ${fed} lines, ${bytes} bytes on disk`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await assembly.pipeline.flush();
    const atEnd = du(store);
    const events = assembly.pipeline.summaryTotals().accepted;
    await assembly.close();
    const afterClose = du(store);
    return {
      minutes,
      events,
      peakBytesPerEvent: Math.max(peak, atEnd / events),
      settledPeakBytesPerEvent: Math.max(settledPeak, atEnd / events),
      bytesPerEventAtEnd: atEnd / events,
      bytesPerEventAfterClose: afterClose / events,
      bytesAfterClose: afterClose,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { minutes: { type: 'string' }, rate: { type: 'string' }, 'flush-ms': { type: 'string' } },
  });
  const number = (text: string | undefined, what: string): number | undefined => {
    if (text === undefined || text === '') return undefined;
    const value = Number(text);
    if (!(value > 0)) throw new Error(`store-disk: ${what} must be a positive number, got ${text}`);
    return value;
  };
  const result = await runDiskBenchmark(
    number(values.minutes ?? process.env.BENCH_DISK_MINUTES, 'minutes'),
    number(values.rate, 'rate'),
    number(values['flush-ms'], 'flush-ms'),
  );
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(`machine: ${machineLine()}`);
  console.log(
    `embedded store on disk after ${result.minutes} min of run-like ingestion (${fmt(result.events)} events)`,
  );
  console.log(`  while running, peak   ${fmt(result.peakBytesPerEvent)} bytes/event`);
  console.log(`  peak after minute 1   ${fmt(result.settledPeakBytesPerEvent)} bytes/event`);
  console.log(`  at the end            ${fmt(result.bytesPerEventAtEnd)} bytes/event`);
  console.log(
    `  after close           ${fmt(result.bytesPerEventAfterClose)} bytes/event (${fmt(result.bytesAfterClose)} bytes)`,
  );
}
