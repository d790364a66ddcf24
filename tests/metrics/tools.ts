import { spawnSync } from 'node:child_process';
import { runProcess } from '../support/cli.js';

/**
 * The Prometheus binaries (Debian's `prometheus` package). CI installs them and must run these tests;
 * on a machine without them the tests are skipped with a message saying so.
 */
export function findTool(name: 'promtool' | 'prometheus'): string | null {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = found.status === 0 ? found.stdout.trim() : '';
  if (path) return path;
  if (process.env.CI)
    throw new Error(`${name} is required in CI: apt-get install -y --no-install-recommends prometheus`);
  console.warn(`${name} not found: skipping tests that need it (apt-get install prometheus)`);
  return null;
}

/** Runs a tool to completion, with `input` on stdin. */
export function run(tool: string, args: readonly string[], options: { input?: string; cwd?: string } = {}) {
  return runProcess(tool, args, options);
}
