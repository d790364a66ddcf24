import { once } from 'node:events';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { assembleReplay } from '../exporter/app/replay-assembly.js';
import { createLogger } from '../exporter/base/logger.js';
import { loadConfig } from '../exporter/config/load.js';
import type { NostrEvent } from '../exporter/model/nostr-event.js';
import { checkEventShape, DEFAULT_SHAPE_LIMITS } from '../exporter/model/validate.js';
import { createVerifier, type EventVerifier } from '../exporter/model/verify.js';
import { DEFAULT_SIMULATION, simulate } from '../exporter/simulate/index.js';
import { replayFiles } from '../exporter/sources/file-replay.js';
import { machineLine, peakRssMiB } from './machine.js';
import { bytesPerOpenJob } from './open-jobs.js';

/**
 * Replay throughput against the native limit: a large simulator file through the whole pipeline
 * (parse, dedup, classify, verify on worker threads, job index, metrics; store off, then on), beside
 * the limit, the native verifier alone on one thread over the same events (id hash + BIP-340 verify).
 * Rounds alternate so every figure sees the same machine load; medians count.
 */
export interface Rate {
  /** Lines per wall-clock second. */
  readonly wall: number;
  /** Lines per CPU-second of the whole process (every thread). */
  readonly cpu: number;
}

export interface ReplayThroughput {
  readonly lines: number;
  readonly verifier: string;
  readonly threads: number;
  readonly limit: Rate;
  readonly storeOff: Rate;
  readonly storeOn: Rate;
  readonly peakRssMiB: number;
  readonly bytesPerOpenJob: number;
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

/** Wall-clock and CPU seconds (user + system, all threads) of one run. */
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

async function replayOnce(path: string, store: boolean): Promise<{ lines: number; timing: Timing }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dvm-exporter-bench-replay-'));
  try {
    const config = loadConfig({ env: {}, overrides: { dataDir, clickhouse: { enabled: store } } });
    const assembly = await assembleReplay(config, { logger: createLogger('silent', false) });
    const timing = await timed(async () => {
      await replayFiles(assembly.pipeline, [path], () => {}, { verifyPool: assembly.verifyPool });
      // Closing flushes the store: the time includes writing every row.
      await assembly.close();
    });
    return { lines: assembly.pipeline.summaryTotals().read, timing };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function rate(lines: number, timing: Timing): Rate {
  return { wall: lines / timing.wallSeconds, cpu: lines / timing.cpuSeconds };
}

function medianRate(rates: readonly Rate[]): Rate {
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  return { wall: median(rates.map((r) => r.wall)), cpu: median(rates.map((r) => r.cpu)) };
}

/** The verifier alone on this thread, over every well-formed line of the file (as many as the pipeline reads). */
async function limitOnce(
  verifier: EventVerifier,
  events: readonly NostrEvent[],
  lines: number,
): Promise<Rate> {
  const timing = await timed(() => {
    for (const event of events) verifier.check(event);
  });
  // Per line, like the pipeline's figures: the lines the verifier need not see only make it look faster.
  return rate(lines, { wallSeconds: timing.wallSeconds, cpuSeconds: timing.cpuSeconds });
}

export async function runReplayThroughput(
  hours = 2,
  requestsPerMinute = 60,
  rounds = 3,
): Promise<ReplayThroughput> {
  const path = await simulatorFile(hours, requestsPerMinute);
  const config = loadConfig({ env: {}, overrides: {} });
  const verifier = await createVerifier(config.pipeline.verifier);
  const events = loadEvents(path);
  let lines = 0;
  let rss = 0;
  const limits: Rate[] = [];
  const off: Rate[] = [];
  const on: Rate[] = [];
  for (let round = 0; round < rounds; round++) {
    const storeOff = await replayOnce(path, false);
    lines = storeOff.lines;
    off.push(rate(lines, storeOff.timing));
    if (round === 0) rss = peakRssMiB();
    limits.push(await limitOnce(verifier, events, lines));
    on.push(rate(lines, (await replayOnce(path, true)).timing));
  }
  return {
    lines,
    verifier: verifier.name,
    threads: config.pipeline.verifyThreads,
    limit: medianRate(limits),
    storeOff: medianRate(off),
    storeOn: medianRate(on),
    peakRssMiB: rss,
    bytesPerOpenJob: await bytesPerOpenJob(),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runReplayThroughput();
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const row = (name: string, x: Rate, ratio?: string) =>
    console.log(
      `  ${name.padEnd(38)} ${fmt(x.wall).padStart(7)} events/s  ${fmt(x.cpu).padStart(7)} per CPU-s${ratio ?? ''}`,
    );
  console.log(`machine: ${machineLine()}`);
  console.log(`replay throughput (${fmt(r.lines)} simulator lines; medians of 3 alternated rounds)`);
  row(`limit: ${r.verifier} alone, 1 thread`, r.limit);
  row(
    `pipeline, store off, ${r.threads} verify threads`,
    r.storeOff,
    `  ratio ${(r.storeOff.wall / r.limit.wall).toFixed(2)} (goal >= 0.60)`,
  );
  row(
    `pipeline, store on, ${r.threads} verify threads`,
    r.storeOn,
    `  ratio ${(r.storeOn.wall / r.limit.wall).toFixed(2)} (goal >= 0.35)`,
  );
  console.log(`  peak RSS (store off)                   ${r.peakRssMiB.toFixed(0)} MiB`);
  console.log(`  memory per open job                    ${fmt(r.bytesPerOpenJob)} bytes (goal <= 1,024)`);
}
