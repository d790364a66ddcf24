import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import { parse, stringify } from 'yaml';
import { type RunningExporter, startExporter } from '../../exporter/app/run-assembly.js';
import { createLogger } from '../../exporter/base/logger.js';
import { configSchema } from '../../exporter/config/schema.js';
import { AlertmanagerServer, testAlertmanagerConfig } from './alertmanager.js';
import { openDirectMessages } from './direct-messages.js';
import { REPO_ROOT } from './paths.js';
import { PrometheusServer, until } from './prometheus.js';
import { startTestRelay, type TestRelay } from './relay.js';
import { startCustomer, TestDvm } from './test-dvm.js';

/**
 * The whole alert path with real parts: a live test DVM and a customer on a real relay, the exporter
 * watching the relay, Debian's Prometheus evaluating the shipped alert rules and Debian's Alertmanager
 * with the shipped routing posting to the exporter, which sends the direct message to the relay.
 *
 * Test-only timing: every duration of the shipped rules (range windows, `for`, `keep_firing_for`, the
 * heartbeat age) and the exporter's answer timeout are multiplied by `scale`; Alertmanager's group_wait,
 * group_interval and resolve_timeout are short. Everything else is the shipped configuration.
 */

const RULES = join(REPO_ROOT, 'provisioning', 'prometheus', 'rules', 'dvm-alerts.yml');
const TOKEN = 'alert-path-test-webhook-token';

/** A Prometheus duration (`30m`, `1h`, `5m`) times `scale`, in milliseconds. */
export function scaleDuration(text: string, scale: number): string {
  const unit: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  if (!match) throw new Error(`unexpected duration ${text}`);
  return `${Math.max(1, Math.round(Number(match[1]) * unit[match[2]!]! * scale))}ms`;
}

/** The shipped rule file with its time constants scaled. */
export function scaledRules(scale: number): string {
  const file = parse(readFileSync(RULES, 'utf8')) as {
    groups: { rules: { expr: string; for?: string; keep_firing_for?: string }[] }[];
  };
  for (const rule of file.groups.flatMap((g) => g.rules)) {
    rule.expr = rule.expr
      .replace(/\[(\d+(?:ms|s|m|h|d))\]/g, (_, d: string) => `[${scaleDuration(d, scale)}]`)
      .replace(
        /(time\(\) - [a-z_]+ (?:>|<=) )(\d+)/g,
        (_, head: string, n: string) => `${head}${Number(n) * scale}`,
      );
    if (rule.for) rule.for = scaleDuration(rule.for, scale);
    if (rule.keep_firing_for) rule.keep_firing_for = scaleDuration(rule.keep_firing_for, scale);
  }
  return stringify(file);
}

export interface AlertPath {
  readonly relay: TestRelay;
  readonly dvm: TestDvm;
  readonly exporter: RunningExporter;
  readonly prometheus: PrometheusServer;
  readonly alertmanager: AlertmanagerServer;
  readonly recipientKey: Uint8Array;
  /**
   * Resolves once Prometheus has scraped the DVM's results counter rising by `answers` (results published
   * before the first scrape are no evidence of answering to `increase()`).
   */
  answering(answers?: number): Promise<void>;
  /** Direct messages on the relay that the recipient's key opens, oldest first. */
  messages(): { content: string; storedAt: number }[];
  stop(): Promise<void>;
}

export async function startAlertPath(options: {
  prometheusBinary: string;
  alertmanagerBinary: string;
  scale: number;
  groupWait?: string;
}): Promise<AlertPath> {
  const stops: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s();
  };
  try {
    const dir = { path: await mkdtemp(join(tmpdir(), 'dvm-alert-path-')) };
    stops.push(() => rm(dir.path, { recursive: true, force: true }));
    const relay = await startTestRelay();
    stops.push(() => relay.stop());
    const dvm = await TestDvm.start({ relayUrl: relay.url, behaviour: 'answer', name: 'Lighthouse' });
    stops.push(() => dvm.stop());
    const recipientKey = generateSecretKey();
    const exporter = await startExporter(
      configSchema.parse({
        listen: '127.0.0.1:0',
        dataDir: dir.path,
        logLevel: 'silent',
        ingest: { relays: [relay.url], reconnectMinSeconds: 0.05, reconnectMaxSeconds: 0.5 },
        clickhouse: { enabled: false },
        metrics: { answerTimeoutSeconds: Math.max(1, Math.round(600 * options.scale)) },
        notify: {
          secretKey: Buffer.from(generateSecretKey()).toString('hex'),
          recipients: [getPublicKey(recipientKey)],
          webhookToken: TOKEN,
        },
      }),
      {
        logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent', false),
        tuning: { connectTimeoutMs: 2_000, nip11TimeoutMs: 500 },
      },
    );
    stops.push(() => exporter.stop());
    const customer = await startCustomer(relay.url, dvm.pubkey, 1_000);
    stops.push(() => customer.stop());

    const tokenFile = join(dir.path, 'webhook-token');
    await writeFile(tokenFile, TOKEN);
    const alertmanager = await AlertmanagerServer.start(
      options.alertmanagerBinary,
      await testAlertmanagerConfig({
        webhookUrl: `${exporter.http.url}/api/alertmanager`,
        tokenFile,
        groupWait: options.groupWait ?? '1s',
        groupInterval: '1s',
        resolveTimeout: '5s',
      }),
    );
    stops.push(() => alertmanager.stop());
    const rules = join(dir.path, 'dvm-alerts.yml');
    await writeFile(rules, scaledRules(options.scale));
    const prometheus = await PrometheusServer.start({
      binary: options.prometheusBinary,
      target: new URL(exporter.http.url).host,
      ruleFiles: [rules],
      alertmanager: alertmanager.url,
    });
    stops.push(() => prometheus.stop());

    // When each message was first seen on the relay (polled every 50 ms).
    const seen = new Map<string, number>();
    const poll = setInterval(() => {
      for (const { wrap } of openDirectMessages(relay.storedEvents(), recipientKey))
        if (!seen.has(wrap.id)) seen.set(wrap.id, Date.now());
    }, 50);
    stops.push(() => clearInterval(poll));
    return {
      relay,
      dvm,
      exporter,
      prometheus,
      alertmanager,
      recipientKey,
      answering: async (answers = 3) => {
        const results = `sum(dvm_job_results_total{dvm="${dvm.pubkey}"})`;
        const first = await until('a first scrape of the DVM', () => prometheus.scalar(results));
        await until('Prometheus to see the DVM answer', async () =>
          ((await prometheus.scalar(results)) ?? 0) >= first + answers ? true : undefined,
        );
      },
      messages: () =>
        openDirectMessages(relay.storedEvents(), recipientKey).map(({ wrap, rumor }) => ({
          content: rumor.content,
          storedAt: seen.get(wrap.id) ?? Date.now(),
        })),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
