import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A Prometheus-style daemon (Prometheus, Alertmanager) on 127.0.0.1, in a temporary folder of its own. */
export class Daemon {
  private constructor(
    /** http://127.0.0.1:<port> */
    readonly url: string,
    readonly dir: string,
    private readonly child: ChildProcess,
    /** What the daemon wrote on stderr (warnings and errors), for failure messages. */
    readonly log: string[],
  ) {}

  /**
   * Makes the folder, lets `configure` write the daemon's files there and name its arguments for the
   * free port, starts it and waits until GET /-/ready answers 200 (both daemons serve it).
   */
  static async start(options: {
    readonly name: string;
    readonly binary: string;
    readonly configure: (dir: string, port: number) => Promise<readonly string[]>;
  }): Promise<Daemon> {
    const dir = await mkdtemp(join(tmpdir(), `dvm-${options.name}-`));
    const port = await freePort();
    const args = await options.configure(dir, port);
    const child = spawn(options.binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const log: string[] = [];
    child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
    const daemon = new Daemon(`http://127.0.0.1:${port}`, dir, child, log);
    try {
      await until(`${options.name} to be ready`, async () => {
        if (child.exitCode !== null)
          throw new Error(`${options.name} exited ${child.exitCode}: ${log.join('')}`);
        return (await fetch(`${daemon.url}/-/ready`)).ok ? true : undefined;
      });
    } catch (error) {
      await daemon.stop();
      throw error;
    }
    return daemon;
  }

  /** SIGTERM, wait for the exit, remove the folder. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
