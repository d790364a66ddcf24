import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { Daemon } from './daemon.js';
import { REPO_ROOT } from './paths.js';

export const SHIPPED_ALERTMANAGER_CONFIG = join(
  REPO_ROOT,
  'provisioning',
  'alertmanager',
  'alertmanager.yml',
);

export interface AlertmanagerTestSettings {
  /** Where the webhook receivers post (the test exporter's /api/alertmanager). */
  readonly webhookUrl: string;
  /** File holding the bearer token (the config's credentials_file). */
  readonly tokenFile: string;
  /** Test-only timing: group_wait, group_interval and resolve_timeout in place of the shipped ones. */
  readonly groupWait?: string;
  readonly groupInterval?: string;
  readonly resolveTimeout?: string;
}

// biome-ignore lint/suspicious/noExplicitAny: YAML of a known shape, edited in place
type Json = Record<string, any>;

/** The shipped Alertmanager config with only the receiver's address and the timing replaced. */
export async function testAlertmanagerConfig(settings: AlertmanagerTestSettings): Promise<string> {
  const config = parse(await readFile(SHIPPED_ALERTMANAGER_CONFIG, 'utf8')) as Json;
  config.global.resolve_timeout = settings.resolveTimeout ?? config.global.resolve_timeout;
  const retime = (route: Json) => {
    if (settings.groupWait && route.group_wait) route.group_wait = settings.groupWait;
    if (settings.groupInterval && route.group_interval) route.group_interval = settings.groupInterval;
    for (const child of route.routes ?? []) retime(child);
  };
  retime(config.route);
  for (const receiver of config.receivers) {
    for (const webhook of receiver.webhook_configs ?? []) {
      webhook.url = settings.webhookUrl;
      webhook.http_config.authorization.credentials_file = settings.tokenFile;
    }
  }
  return stringify(config);
}

/** Debian's Alertmanager on 127.0.0.1 in a temporary folder, clustering off. */
export class AlertmanagerServer {
  private constructor(private readonly daemon: Daemon) {}

  get url(): string {
    return this.daemon.url;
  }

  static async start(binary: string, configYaml: string): Promise<AlertmanagerServer> {
    const daemon = await Daemon.start({
      name: 'alertmanager',
      binary,
      configure: async (dir, port) => {
        await writeFile(join(dir, 'alertmanager.yml'), configYaml);
        return [
          `--config.file=${join(dir, 'alertmanager.yml')}`,
          `--storage.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--cluster.listen-address=',
          '--log.level=warn',
        ];
      },
    });
    return new AlertmanagerServer(daemon);
  }

  /** POST /api/v2/alerts, as Prometheus does. */
  async postAlerts(alerts: readonly unknown[]): Promise<void> {
    const res = await fetch(`${this.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
    });
    if (!res.ok) throw new Error(`POST /api/v2/alerts: ${res.status} ${await res.text()}`);
  }

  /** GET /api/v2/alerts: every alert with its status (state, inhibitedBy, silencedBy). */
  async alerts(): Promise<
    Array<{ labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } }>
  > {
    return (await (await fetch(`${this.url}/api/v2/alerts`)).json()) as never;
  }

  stop(): Promise<void> {
    return this.daemon.stop();
  }
}
