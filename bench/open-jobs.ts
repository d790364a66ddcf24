import { readFileSync } from 'node:fs';
import { assembleReplay } from '../exporter/app/replay-assembly.js';
import { createLogger } from '../exporter/base/logger.js';
import { loadConfig } from '../exporter/config/load.js';
import { simulatorFile } from './replay-throughput.js';

/**
 * Heap per open job: every job request of a simulator file, and nothing that answers them, through the
 * replay assembly (store off, metrics on) with limits high enough that no job leaves; the heap growth
 * after full collections, divided by the jobs held. Includes everything a job costs the process: its
 * seen id, the job index entry, and the metrics sink's per-job state. Needs node --expose-gc.
 */
export async function bytesPerOpenJob(hours = 2, requestsPerMinute = 60): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const path = await simulatorFile(hours, requestsPerMinute);
  const requests = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => /"kind":5\d{3},/.test(line));
  const config = loadConfig({
    env: {},
    overrides: {
      clickhouse: { enabled: false },
      pipeline: { verifyThreads: 0 },
      jobs: { maxJobs: 1_000_000, expirySeconds: 10 * 86_400, horizonSeconds: 20 * 86_400 },
    },
  });
  const assembly = await assembleReplay(config, { logger: createLogger('silent', false) });
  const pipeline = assembly.pipeline;
  const settle = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const before = settle();
  for (const line of requests) pipeline.ingestText(line, { relay: null });
  const after = settle();
  const open = pipeline.jobs.stats().openJobs;
  await assembly.close();
  return (after - before) / open;
}
