import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SIM_DVMS, simulate } from '../../../exporter/simulate/index.js';
import { publishItems } from '../../../exporter/simulate/publish.js';
import { PrometheusServer, until } from '../../metrics/prometheus-server.js';
import { OtlpReceiver } from '../../support/otlp-receiver.js';
import { REPO_ROOT } from '../../support/paths.js';
import { freePort } from '../../support/ports.js';
import { startTestRelay, type TestRelay } from '../../support/relay.js';

/**
 * The compose stack in miniature, on 127.0.0.1: a real relay, `dvm-exporter run` reading it (with
 * its embedded store and OTLP traces on, as in compose, so every self-metric exists), a real
 * Prometheus scraping it every second with the alert rules loaded, and the simulator publishing
 * first some history, then live traffic in two rounds a few scrapes apart, as the demo profile does.
 */

export const RULES = join(REPO_ROOT, 'provisioning/prometheus/rules/dvm-alerts.yml');
const PROMETHEUS_YML = join(REPO_ROOT, 'provisioning/prometheus/prometheus.yml');

export interface LiveStack {
  readonly prometheus: PrometheusServer;
  readonly relay: TestRelay;
  /** The exporter's HTTP server, http://127.0.0.1:<port>. */
  readonly exporterUrl: string;
  /** Unix seconds when the stack started (the dashboards' time range starts here). */
  readonly startedAt: number;
  stop(): Promise<void>;
}

export async function startLiveStack(prometheusBinary: string): Promise<LiveStack> {
  const startedAt = Math.floor(Date.now() / 1000);
  const relay = await startTestRelay();
  const receiver = await OtlpReceiver.start();
  const dataDir = mkdtempSync(join(tmpdir(), 'dvm-exporter-dashboards-live-'));
  const port = await freePort();
  let exporter: ChildProcess | null = null;
  let prometheus: PrometheusServer | null = null;
  const stop = async () => {
    await prometheus?.stop();
    if (exporter && exporter.exitCode === null) {
      const exited = new Promise((resolve) => exporter!.once('exit', resolve));
      exporter.kill('SIGTERM');
      await exited;
    }
    await receiver.close();
    await relay.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    let log = '';
    exporter = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(REPO_ROOT, 'exporter/cli/main.ts'),
        'run',
        '--relay',
        relay.url,
        '--listen',
        `127.0.0.1:${port}`,
        '--data-dir',
        dataDir,
        '--otlp-endpoint',
        receiver.url,
        '--log-level',
        'warn',
      ],
      {
        cwd: REPO_ROOT,
        // As in docker-compose.yml: a first start reads a day back, so published history is taken.
        env: {
          ...process.env,
          DVM_EXPORTER_INGEST_INITIAL_BACKFILL_SECONDS: '86400',
          // /probe on, for the probe panels: the shipped dvm-probe job probes a simulated DVM below.
          DVM_EXPORTER_PROBE_SECRET_KEY: '1'.repeat(64),
          DVM_EXPORTER_PROBE_MIN_INTERVAL_SECONDS: '0',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    exporter.stdout?.on('data', (d: Buffer) => {
      log += d.toString();
    });
    exporter.stderr?.on('data', (d: Buffer) => {
      log += d.toString();
    });
    const metricsUrl = `http://127.0.0.1:${port}/metrics`;
    await until(
      'the exporter to connect to the relay',
      async () => {
        if (exporter!.exitCode !== null) throw new Error(`exporter exited ${exporter!.exitCode}: ${log}`);
        const text = await (await fetch(metricsUrl)).text();
        return /^nostr_relay_up\{[^}]*\} 1$/m.test(text) ? true : undefined;
      },
      60_000,
    );
    // The shipped probe job, pointed at this exporter and at one simulated DVM (which never answers
    // live, so its probes end at the scrape timeout with probe_success 0).
    const probeJob = structuredClone(
      (
        parse(readFileSync(PROMETHEUS_YML, 'utf8')) as { scrape_configs: { job_name: string }[] }
      ).scrape_configs.find((j) => j.job_name === 'dvm-probe'),
    ) as unknown as Record<string, unknown> & {
      relabel_configs: { target_label: string; replacement?: string }[];
    };
    probeJob.relabel_configs.find((r) => r.target_label === '__address__')!.replacement = `127.0.0.1:${port}`;
    delete probeJob.file_sd_configs;
    probeJob.static_configs = [{ targets: [SIM_DVMS[0]!.pubkey] }];
    probeJob.scrape_interval = '2s';
    probeJob.scrape_timeout = '1500ms';
    prometheus = await PrometheusServer.start({
      binary: prometheusBinary,
      target: `127.0.0.1:${port}`,
      ruleFiles: [RULES],
      scrapeConfigs: [probeJob],
    });
    const scraped = async (expr: string, above: number) =>
      until(`Prometheus to see ${expr} above ${above}`, async () => {
        const value = await prometheus!.scalar(expr);
        return value !== undefined && value > above ? value : undefined;
      });
    /** Scrapes of the exporter so far (one sample of a constant series per scrape). */
    const SCRAPES = 'count_over_time(dvm_exporter_build_info[1h])';

    const now = Math.floor(Date.now() / 1000);
    const history = [
      ...simulate({
        seed: 21,
        start: now - 7200,
        durationSeconds: 1200,
        requestsPerMinute: 10,
        malformedShare: 0.03,
      }),
    ];
    const live = [
      ...simulate({
        seed: 22,
        start: now - 420,
        durationSeconds: 420,
        requestsPerMinute: 30,
        malformedShare: 0.03,
      }),
    ];
    const firstRound = live.filter((i) => i.at < now - 210);
    const secondRound = live.filter((i) => i.at >= now - 210);

    await publishItems(history, { url: relay.url });
    await scraped('sum(dvm_exporter_backfill_events_total)', 0);
    await publishItems(firstRound, { url: relay.url });
    const requests = await scraped('sum(dvm_job_requests_total)', 0);
    // A few scrapes between the rounds, so rates over the range see the counters move.
    await scraped(SCRAPES, ((await prometheus.scalar(SCRAPES)) ?? 0) + 3);
    await publishItems(secondRound, { url: relay.url });
    await scraped('sum(dvm_job_requests_total)', requests);
    await scraped(SCRAPES, ((await prometheus.scalar(SCRAPES)) ?? 0) + 2);
    return { prometheus, relay, exporterUrl: `http://127.0.0.1:${port}`, startedAt, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
