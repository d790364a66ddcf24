import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { Daemon } from './daemon.js';

export { until } from './daemon.js';
export { freePort } from './ports.js';

export interface InstantSample {
  readonly metric: Record<string, string>;
  readonly value: number;
}

/**
 * A real Prometheus on 127.0.0.1 in a temporary folder, scraping one target every second, with
 * exemplar storage on and the given rule files loaded.
 */
export class PrometheusServer {
  private constructor(private readonly daemon: Daemon) {}

  get url(): string {
    return this.daemon.url;
  }

  /** What Prometheus wrote on stderr (warnings and errors), for failure messages. */
  get log(): readonly string[] {
    return this.daemon.log;
  }

  static async start(options: {
    binary: string;
    target: string;
    ruleFiles: readonly string[];
    /** Where firing and resolved alerts are sent (an Alertmanager's http://host:port). */
    alertmanager?: string;
    /** Further scrape jobs, as parsed YAML objects. */
    scrapeConfigs?: readonly unknown[];
  }) {
    const daemon = await Daemon.start({
      name: 'prometheus',
      binary: options.binary,
      configure: async (dir, port) => {
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
        return [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--enable-feature=exemplar-storage',
          '--log.level=warn',
        ];
      },
    });
    return new PrometheusServer(daemon);
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

  stop(): Promise<void> {
    return this.daemon.stop();
  }
}
