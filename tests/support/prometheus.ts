import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** A port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

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

export interface InstantSample {
  readonly metric: Record<string, string>;
  readonly value: number;
}

/**
 * A real Prometheus on 127.0.0.1 in a temporary folder, scraping one target every second, with
 * exemplar storage on and the given rule files loaded.
 */
export class PrometheusServer {
  private constructor(
    readonly url: string,
    private readonly dir: string,
    private readonly child: ChildProcess,
    /** What Prometheus wrote on stderr (warnings and errors), for failure messages. */
    readonly log: string[],
  ) {}

  static async start(options: {
    binary: string;
    target: string;
    ruleFiles: readonly string[];
    /** Where firing and resolved alerts are sent (an Alertmanager's http://host:port). */
    alertmanager?: string;
    /** Further scrape jobs, as parsed YAML objects. */
    scrapeConfigs?: readonly unknown[];
  }) {
    const dir = await mkdtemp(join(tmpdir(), 'dvm-prometheus-'));
    const port = await freePort();
    const config = [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 900ms',
      '  evaluation_interval: 1s',
      ...(options.alertmanager
        ? [
            'alerting:',
            '  alertmanagers:',
            '    - static_configs:',
            `        - targets: [${JSON.stringify(new URL(options.alertmanager).host)}]`,
          ]
        : []),
      'rule_files:',
      ...options.ruleFiles.map((file) => `  - ${JSON.stringify(file)}`),
      'scrape_configs:',
      '  - job_name: dvm-exporter',
      '    static_configs:',
      `      - targets: [${JSON.stringify(options.target)}]`,
      ...(options.scrapeConfigs ?? []).map((job) => stringify([job]).replace(/^/gm, '  ').trimEnd()),
      '',
    ].join('\n');
    await writeFile(join(dir, 'prometheus.yml'), config);
    const child = spawn(
      options.binary,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--enable-feature=exemplar-storage',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const log: string[] = [];
    child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
    const server = new PrometheusServer(`http://127.0.0.1:${port}`, dir, child, log);
    try {
      await until('Prometheus to be ready', async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited ${child.exitCode}: ${log.join('')}`);
        const response = await fetch(`${server.url}/-/ready`);
        return response.ok ? true : undefined;
      });
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  /** GET an API path; returns `data` of a successful answer. */
  async api<T>(path: string, params: Record<string, string>): Promise<T> {
    const response = await fetch(`${this.url}${path}?${new URLSearchParams(params)}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`${path} ${JSON.stringify(params)}: ${body.error}`);
    return body.data;
  }

  /** An instant vector query, at `time` (unix seconds) or now. */
  async query(expr: string, time?: number): Promise<InstantSample[]> {
    const params: Record<string, string> = { query: expr };
    if (time !== undefined) params.time = time.toFixed(3);
    const data = await this.api<{
      resultType: string;
      result: Array<{ metric: Record<string, string>; value: [number, string] }>;
    }>('/api/v1/query', params);
    if (data.resultType !== 'vector') throw new Error(`${expr} is a ${data.resultType}, not a vector`);
    return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  /** The single value of a query that yields one sample, undefined when it yields none. */
  async scalar(expr: string, time?: number): Promise<number | undefined> {
    const samples = await this.query(expr, time);
    if (samples.length > 1) throw new Error(`${expr} yields ${samples.length} samples`);
    return samples[0]?.value;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
