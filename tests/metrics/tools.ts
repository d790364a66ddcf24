import { spawn, spawnSync } from 'node:child_process';

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

export interface ToolResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a tool to completion, with `input` on stdin. */
export function run(tool: string, args: readonly string[], options: { input?: string; cwd?: string } = {}) {
  return new Promise<ToolResult>((resolve, reject) => {
    const child = spawn(tool, args, { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}
