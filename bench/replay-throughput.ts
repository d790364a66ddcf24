import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { createLogger } from '../exporter/app/logger.js';
import { assembleReplay } from '../exporter/app/replay-assembly.js';
import { loadConfig } from '../exporter/config/load.js';
import { replayFiles } from '../exporter/ingest/file-replay.js';
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
  readonly pipelineEventsPerSecond: number;
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

async function verifyOnlyRate(path: string): Promise<number> {
  const verifier = await createVerifier('wasm');
  const events = readFileSync(path, 'utf8')
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
  const started = process.hrtime.bigint();
  for (const event of events) verifier.check(event);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return events.length / seconds;
}

async function pipelineRate(path: string): Promise<{ lines: number; rate: number }> {
  const config = loadConfig({ env: {}, overrides: { clickhouse: { enabled: false } } });
  const assembly = await assembleReplay(config, { logger: createLogger('silent', false) });
  const started = process.hrtime.bigint();
  await replayFiles(assembly.pipeline, [path]);
  await assembly.close();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const lines = assembly.pipeline.summaryTotals().read;
  return { lines, rate: lines / seconds };
}

export async function runReplayThroughput(hours = 6, requestsPerMinute = 60): Promise<ReplayThroughput> {
  const path = await simulatorFile(hours, requestsPerMinute);
  // Pipeline first, so the peak RSS reflects the pipeline rather than the verify-only event array.
  const pipeline = await pipelineRate(path);
  const rss = peakRssMiB();
  const verifyOnly = await verifyOnlyRate(path);
  return {
    lines: pipeline.lines,
    pipelineEventsPerSecond: pipeline.rate,
    verifyOnlyEventsPerSecond: verifyOnly,
    ratio: pipeline.rate / verifyOnly,
    peakRssMiB: rss,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runReplayThroughput();
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(`machine: ${machineLine()}`);
  console.log(`replay throughput (${fmt(result.lines)} simulator lines, store off)`);
  console.log(`  pipeline     ${fmt(result.pipelineEventsPerSecond)} events/s`);
  console.log(`  verify-only  ${fmt(result.verifyOnlyEventsPerSecond)} events/s`);
  console.log(`  ratio        ${result.ratio.toFixed(2)} (goal >= 0.70)`);
  console.log(`  peak RSS     ${result.peakRssMiB.toFixed(0)} MiB`);
}
