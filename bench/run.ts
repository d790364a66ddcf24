import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run bench`: each benchmark in its own process (the embedded ClickHouse engine is a process
 * singleton, and a fresh process keeps peak-RSS figures honest), one after the other.
 */
const BENCHMARKS = [
  'replay-throughput',
  'replay-order',
  'store',
  'store-disk',
  'time-to-visibility',
  'alert-latency',
  'job-index',
] as const;

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
let failed = 0;
for (const name of BENCHMARKS) {
  if (only.length > 0 && !only.includes(name)) continue;
  const script = join(here, `${name}.js`);
  if (!existsSync(script)) {
    console.log(`\n== ${name}: not built (${script} missing)`);
    failed++;
    continue;
  }
  console.log(`\n== ${name}`);
  // --expose-gc: heap figures (memory per open job) are taken after full collections.
  const { status } = spawnSync(process.execPath, ['--expose-gc', script], { stdio: 'inherit' });
  if (status !== 0) {
    console.log(`== ${name} failed with exit code ${status}`);
    failed++;
  }
}
process.exit(failed === 0 ? 0 : 1);
