import { once } from 'node:events';
import { createWriteStream, readFileSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { assembleReplay } from '../exporter/app/replay-assembly.js';
import { ManualClock } from '../exporter/base/clock.js';
import { createLogger } from '../exporter/base/logger.js';
import { loadConfig } from '../exporter/config/load.js';
import { DEFAULT_JOB_INDEX_OPTIONS, JobIndex } from '../exporter/jobs/job-index.js';
import type { NostrEvent } from '../exporter/model/nostr-event.js';
import { parseRequest } from '../exporter/model/request.js';
import { replayFiles } from '../exporter/sources/file-replay.js';
import { sortedLines } from '../exporter/sources/sorted-lines.js';
import { machineLine } from './machine.js';
import { simulatorFile } from './replay-throughput.js';

/**
 * What order independence costs and what chains cost in any order:
 * - replay sorts its input by created_at before the pipeline: the sort alone (in memory, and spilled
 *   to disk in 1 MiB runs) beside the whole replay, on the same simulator file, and the whole replay
 *   of a shuffled copy of it;
 * - the job index linking one chain of N requests in order and leaf first (as `run` may receive it).
 */

function cpuSeconds(run: () => Promise<void> | void): Promise<number> {
  const start = process.cpuUsage();
  return Promise.resolve(run()).then(() => {
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1e6;
  });
}

async function replayCpu(path: string): Promise<number> {
  const config = loadConfig({ env: {}, overrides: { clickhouse: { enabled: false } } });
  const assembly = await assembleReplay(config, { logger: createLogger('silent', false) });
  return cpuSeconds(async () => {
    await replayFiles(assembly.pipeline, [path]);
    await assembly.close();
  });
}

async function sortCpu(path: string, runBytes: number): Promise<number> {
  return cpuSeconds(async () => {
    for await (const _ of sortedLines([path], 1 << 20, { runBytes }));
  });
}

async function shuffledCopy(path: string): Promise<string> {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  let state = 7;
  for (let i = lines.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [lines[i], lines[j]] = [lines[j]!, lines[i]!];
  }
  const out = createWriteStream(`${path}.shuffled`);
  for (const line of lines) if (!out.write(`${line}\n`)) await once(out, 'drain');
  out.end();
  await finished(out);
  return `${path}.shuffled`;
}

/** Milliseconds for the job index to take one chain of `n` requests, each naming the previous one. */
function chainMs(n: number, leafFirst: boolean): number {
  const id = (i: number) => i.toString(16).padStart(64, '0');
  const requests = Array.from({ length: n }, (_, i) =>
    parseRequest({
      id: id(i + 1),
      pubkey: 'c'.repeat(64),
      created_at: 1_767_225_600 + i,
      kind: 5100,
      tags: i === 0 ? [['i', 'a prompt', 'text']] : [['i', id(i), 'job']],
      content: '',
      sig: '0'.repeat(128),
    } satisfies NostrEvent),
  );
  if (leafFirst) requests.reverse();
  const index = new JobIndex(DEFAULT_JOB_INDEX_OPTIONS, new ManualClock(1_767_225_600), () => {});
  const start = process.hrtime.bigint();
  for (const request of requests) index.apply(request);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = await simulatorFile(2, 60);
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '').length;
  const fmt = (n: number) => n.toFixed(2);
  const replay = await replayCpu(path);
  const inMemory = await sortCpu(path, 32 * 1024 * 1024);
  const spilled = await sortCpu(path, 1024 * 1024);
  const shuffled = await replayCpu(await shuffledCopy(path));
  console.log(`machine: ${machineLine()}`);
  console.log(`replay order (${lines.toLocaleString('en-US')} simulator lines, store off; CPU seconds)`);
  console.log(`  whole replay, as written   ${fmt(replay)} s`);
  console.log(`  whole replay, shuffled     ${fmt(shuffled)} s`);
  console.log(
    `  of which the sort, in RAM  ${fmt(inMemory)} s (${((100 * inMemory) / replay).toFixed(1)} %)`,
  );
  console.log(`  the sort, spilled (1 MiB)  ${fmt(spilled)} s (${((100 * spilled) / replay).toFixed(1)} %)`);
  console.log('job index, one chain of N requests (ms, forward / leaf first)');
  for (const n of [2_000, 10_000]) {
    console.log(
      `  N = ${n.toLocaleString('en-US')}   ${chainMs(n, false).toFixed(0)} / ${chainMs(n, true).toFixed(0)}`,
    );
  }
}
