import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { createLogger } from '../exporter/app/logger.js';
import { assembleReplay } from '../exporter/app/replay-assembly.js';
import { loadConfig } from '../exporter/config/load.js';
import { replayFiles } from '../exporter/ingest/file-replay.js';
import type { NostrEvent } from '../exporter/model/nostr-event.js';
import { checkEventShape, DEFAULT_SHAPE_LIMITS } from '../exporter/model/validate.js';
import { createVerifier } from '../exporter/model/verify.js';
import { DEFAULT_SIMULATION, simulate } from '../exporter/simulate/index.js';
import { machineLine, peakRssMiB } from './machine.js';

/**
 * Replay throughput: a large simulator file through the whole pipeline (parse, dedup, classify,
 * verify, job index, in-memory sinks), beside the verify-only rate of the same verifier on the same
 * events. The ClickHouse store is left out here; bench/store.ts measures it.
 */
export interface ReplayThroughput {
  readonly lines: number;
  /** Lines per CPU-second through the whole pipeline (every line counts, duplicates and junk included). */
  readonly pipelineEventsPerSecond: number;
  /** The same, per wall-clock second. */
  readonly pipelineWallEventsPerSecond: number;
  readonly verifyOnlyEventsPerSecond: number;
  readonly ratio: number;
  readonly peakRssMiB: number;
}

/** Writes (once, cached by parameters) a simulator file of about `hours` of traffic. */
export async function simulatorFile(hours: number, requestsPerMinute: number): Promise<string> {
  const dir = join(tmpdir(), 'dvm-exporter-bench');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `sim-${hours}h-${requestsPerMinute}rpm.jsonl`);
  if (existsSync(path)) return path;
  const out = createWriteStream(`${path}.part`);
  for (const item of simulate({ ...DEFAULT_SIMULATION, durationSeconds: hours * 3600, requestsPerMinute })) {
    if (!out.write(`${item.line}\n`)) await once(out, 'drain');
  }
  out.end();
  await finished(out);
  renameSync(`${path}.part`, path);
  return path;
}

/** Wall-clock and CPU seconds (user + system) of one run: CPU time is what a loaded machine distorts least. */
interface Timing {
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
}

async function timed(run: () => Promise<void> | void): Promise<Timing> {
  const cpu = process.cpuUsage();
  const wall = process.hrtime.bigint();
  await run();
  const used = process.cpuUsage(cpu);
  return {
    wallSeconds: Number(process.hrtime.bigint() - wall) / 1e9,
    cpuSeconds: (used.user + used.system) / 1e6,
  };
}

function loadEvents(path: string): NostrEvent[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .flatMap((line) => {
      if (line === '') return [];
      try {
        const shape = checkEventShape(
          JSON.parse(line),
          line.length,
          DEFAULT_SHAPE_LIMITS,
          Number.MAX_SAFE_INTEGER,
        );
        return shape.ok ? [shape.event] : [];
      } catch {
        return [];
      }
    });
}

async function replayOnce(path: string): Promise<{ lines: number; timing: Timing }> {
  const config = loadConfig({ env: {}, overrides: { clickhouse: { enabled: false } } });
  const assembly = await assembleReplay(config, { logger: createLogger('silent', false) });
  const timing = await timed(async () => {
    await replayFiles(assembly.pipeline, [path]);
    await assembly.close();
  });
  return { lines: assembly.pipeline.summaryTotals().read, timing };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/**
 * Alternates pipeline and verify-only rounds so both see the same machine load, and compares their
 * median rates per CPU-second.
 */
export async function runReplayThroughput(
  hours = 2,
  requestsPerMinute = 60,
  rounds = 3,
): Promise<ReplayThroughput> {
  const path = await simulatorFile(hours, requestsPerMinute);
  const verifier = await createVerifier('wasm');
  let lines = 0;
  let rss = 0;
  const pipelineRates: number[] = [];
  const pipelineWallRates: number[] = [];
  const verifyRates: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const pipeline = await replayOnce(path);
    lines = pipeline.lines;
    pipelineRates.push(lines / pipeline.timing.cpuSeconds);
    pipelineWallRates.push(lines / pipeline.timing.wallSeconds);
    // Before the verify-only event array exists, so the figure is the pipeline's.
    if (round === 0) rss = peakRssMiB();
    const events = loadEvents(path);
    const verify = await timed(() => {
      for (const event of events) verifier.check(event);
    });
    verifyRates.push(events.length / verify.cpuSeconds);
  }
  const pipelineRate = median(pipelineRates);
  const verifyRate = median(verifyRates);
  return {
    lines,
    pipelineEventsPerSecond: pipelineRate,
    pipelineWallEventsPerSecond: median(pipelineWallRates),
    verifyOnlyEventsPerSecond: verifyRate,
    ratio: pipelineRate / verifyRate,
    peakRssMiB: rss,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runReplayThroughput();
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(`machine: ${machineLine()}`);
  console.log(`replay throughput (${fmt(result.lines)} simulator lines, store off; medians of 3 rounds)`);
  console.log(
    `  pipeline     ${fmt(result.pipelineEventsPerSecond)} events/s of CPU (${fmt(result.pipelineWallEventsPerSecond)} events/s wall)`,
  );
  console.log(`  verify-only  ${fmt(result.verifyOnlyEventsPerSecond)} events/s of CPU`);
  console.log(`  ratio        ${result.ratio.toFixed(2)} (goal >= 0.70)`);
  console.log(`  peak RSS     ${result.peakRssMiB.toFixed(0)} MiB`);
}
