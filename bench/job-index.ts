/**
 * Micro-benchmark of the job index alone (not a test): `npx tsx bench/job-index.ts [jobs]; `npm run bench job-index``.
 * Pre-builds a realistic mix (request, processing, payment-required, result from one to three DVMs,
 * some chains, orphans and zaps), then times apply + tick per event, as replay drives it.
 */

import { ManualClock } from '../exporter/base/clock.js';
import { DEFAULT_JOB_INDEX_OPTIONS, JobIndex } from '../exporter/jobs/job-index.js';
import type { DvmEvent } from '../exporter/model/dvm-event.js';
import { amount, feedback, hex, key, request, result, T0, zap } from '../tests/support/dvm-events.js';

const jobs = Number(process.argv[2] ?? 100_000);
const dvms = Array.from({ length: 20 }, (_, i) => key(`bench-dvm-${i}`));

/** The events of jobs [from, to), in arrival order. */
function buildEvents(from: number, to: number): DvmEvent[] {
  const events: DvmEvent[] = [];
  for (let j = from; j < to; j++) {
    const id = hex(`bench-${j}`);
    const at = T0 + j;
    const jobInputs = j % 10 === 9 ? [hex(`bench-${j - 1}`)] : [];
    events.push(request({ id, at, jobInputs }));
    const answering = 1 + (j % 3);
    for (let d = 0; d < answering; d++) {
      const dvm = dvms[(j + d) % dvms.length]!;
      events.push(feedback({ requestId: id, dvm, status: 'processing', at: at + 1 }));
      if (d === 0)
        events.push(feedback({ requestId: id, dvm, status: 'payment-required', amount: amount(1000), at }));
      const res = result({ requestId: id, dvm, at: at + 3 });
      events.push(res);
      if (d === 0 && j % 5 === 0) events.push(zap([res.event.id], at + 4));
    }
    if (j % 20 === 0) events.push(result({ requestId: hex(`bench-orphan-${j}`), at }));
  }
  return events;
}

// Events are built in chunks outside the timed part, so the heap holds what the index keeps, as in a
// real pipeline where each parsed event dies young unless a job retains it.
const CHUNK = 5_000;
let emitted = 0;
let count = 0;
let nanos = 0n;
// CPU time as well as wall time: on a shared machine, wall time also counts waiting for a core.
let cpuMicros = 0;
const cpuSince = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return used.user + used.system;
};
const clock = new ManualClock(T0);
const index = new JobIndex(DEFAULT_JOB_INDEX_OPTIONS, clock, () => {
  emitted++;
});
for (let from = 0; from < jobs; from += CHUNK) {
  const events = buildEvents(from, Math.min(jobs, from + CHUNK));
  count += events.length;
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  for (const event of events) {
    if (event.event.created_at > clock.now()) clock.set(event.event.created_at);
    index.apply(event);
    index.tick();
  }
  cpuMicros += cpuSince(cpuStart);
  nanos += process.hrtime.bigint() - start;
}
const start = process.hrtime.bigint();
const cpuStart = process.cpuUsage();
index.drain();
cpuMicros += cpuSince(cpuStart);
nanos += process.hrtime.bigint() - start;
const seconds = Number(nanos) / 1e9;
const stats = index.stats();
const heapMiB = process.memoryUsage().heapUsed / 2 ** 20;
console.log(
  `${count} events, ${jobs} jobs: ${(count / seconds).toFixed(0)} events/s wall, ` +
    `${(count / (cpuMicros / 1e6)).toFixed(0)} events per CPU-second ` +
    `(${seconds.toFixed(2)} s in the index, ${emitted} domain events, tracked ${stats.jobsTracked}, ` +
    `evicted ${stats.evictions.cap} by cap and ${stats.evictions.age} by age, heap ${heapMiB.toFixed(0)} MiB)`,
);
