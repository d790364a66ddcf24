import { spawnSync } from 'node:child_process';
import { runProcess } from '../support/cli.js';

const PACKAGE_OF = {
  promtool: 'prometheus',
  prometheus: 'prometheus',
  amtool: 'prometheus-alertmanager',
  'prometheus-alertmanager': 'prometheus-alertmanager',
} as const;

/**
 * The Prometheus and Alertmanager binaries (Debian's `prometheus` and `prometheus-alertmanager`
 * packages). CI installs them and must run these tests; on a machine without them the tests are skipped
 * with a message saying so.
 */
export function findTool(name: keyof typeof PACKAGE_OF): string | null {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = found.status === 0 ? found.stdout.trim() : '';
  if (path) return path;
  const pkg = PACKAGE_OF[name];
  if (process.env.CI)
    throw new Error(`${name} is required in CI: apt-get install -y --no-install-recommends ${pkg}`);
  console.warn(`${name} not found: skipping tests that need it (apt-get install ${pkg})`);
  return null;
}

/** Runs a tool to completion, with `input` on stdin. */
export function run(tool: string, args: readonly string[], options: { input?: string; cwd?: string } = {}) {
  return runProcess(tool, args, options);
}
