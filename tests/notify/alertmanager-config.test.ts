import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { until } from '../metrics/prometheus-server.js';
import { findTool, run } from '../metrics/tools.js';
import { tempDir } from '../sources/support/harness.js';
import {
  AlertmanagerServer,
  SHIPPED_ALERTMANAGER_CONFIG,
  testAlertmanagerConfig,
} from '../support/alertmanager.js';

const amtool = findTool('amtool');
const alertmanager = findTool('prometheus-alertmanager');
const shipped = parse(readFileSync(SHIPPED_ALERTMANAGER_CONFIG, 'utf8'));

describe.skipIf(amtool === null)('the shipped Alertmanager config (amtool)', () => {
  it('passes amtool check-config', async () => {
    const checked = await run(amtool!, ['check-config', SHIPPED_ALERTMANAGER_CONFIG]);
    expect(checked.stdout + checked.stderr).toContain('SUCCESS');
    expect(checked.code).toBe(0);
  });

  it('groups by alert and DVM, sends resolved alerts, and reminds critical alerts sooner than info ones', async () => {
    expect(shipped.route.group_by).toEqual(['alertname', 'dvm']);
    expect(shipped.receivers[0].webhook_configs[0].send_resolved).toBe(true);
    const intervals = Object.fromEntries(
      shipped.route.routes.map((r: { matchers: string[]; repeat_interval: string }) => [
        r.matchers[0],
        r.repeat_interval,
      ]),
    );
    expect(intervals).toEqual({ 'severity="critical"': '2h', 'severity="info"': '24h' });
    for (const [labels, receiver] of [
      [['alertname=DvmDown', 'dvm=ab', 'severity=critical'], 'nostr'],
      [['alertname=DvmHighErrorRatio', 'dvm=ab', 'severity=warning'], 'nostr'],
      [['alertname=NostrRelayDown', 'severity=info'], 'nostr'],
    ] as const) {
      const tested = await run(amtool!, [
        'config',
        'routes',
        'test',
        `--config.file=${SHIPPED_ALERTMANAGER_CONFIG}`,
        `--verify.receivers=${receiver}`,
        ...labels,
      ]);
      expect(tested.code, `${labels.join(' ')}: ${tested.stdout}${tested.stderr}`).toBe(0);
    }
  });
});

describe.skipIf(alertmanager === null)('inhibition in a real Alertmanager with the shipped rules', () => {
  let server: AlertmanagerServer;
  const dir = tempDir('am-inhibit');

  beforeAll(async () => {
    const tokenFile = `${dir.path}/token`;
    await writeFile(tokenFile, 'unused-token-for-this-test');
    // Nothing listens on port 9: notifications fail, which does not change what is inhibited.
    const config = await testAlertmanagerConfig({
      webhookUrl: 'http://127.0.0.1:9/api/alertmanager',
      tokenFile,
    });
    server = await AlertmanagerServer.start(alertmanager!, config);
  });
  afterAll(async () => {
    await server?.stop();
    dir.remove();
  });

  // The v2 API computes each alert's status (inhibitedBy) when it is read: api/v2/api.go, alertFilter
  // calls setAlertStatus (prometheus/alertmanager 0.25).
  const stateOf = async (alertname: string, dvm?: string) => {
    const alert = (await server.alerts()).find(
      (a) => a.labels.alertname === alertname && (dvm === undefined || a.labels.dvm === dvm),
    );
    return alert && (alert.status.inhibitedBy.length > 0 ? 'inhibited' : alert.status.state);
  };
  const alert = (labels: Record<string, string>) => ({
    labels,
    startsAt: new Date().toISOString(),
    endsAt: new Date(Date.now() + 600_000).toISOString(),
  });

  it("silences a down DVM's slower alerts, and only that DVM's", async () => {
    await server.postAlerts([
      alert({ alertname: 'DvmDown', dvm: 'aa', severity: 'critical' }),
      alert({ alertname: 'DvmHighErrorRatio', dvm: 'aa', severity: 'warning' }),
      alert({ alertname: 'DvmJobsStuckInFlight', dvm: 'aa', severity: 'warning' }),
      alert({ alertname: 'DvmHighErrorRatio', dvm: 'bb', severity: 'warning' }),
    ]);
    await until('the alerts to be listed', async () =>
      (await server.alerts()).length === 4 ? true : undefined,
    );
    expect(await stateOf('DvmDown', 'aa')).toBe('active');
    expect(await stateOf('DvmHighErrorRatio', 'aa')).toBe('inhibited');
    expect(await stateOf('DvmJobsStuckInFlight', 'aa')).toBe('inhibited');
    expect(await stateOf('DvmHighErrorRatio', 'bb')).toBe('active');
  });

  it('silences every per-DVM alert while the exporter has no relay', async () => {
    await server.postAlerts([
      alert({ alertname: 'DvmExporterNoRelayConnected', instance: 'exporter:9890', severity: 'critical' }),
      alert({ alertname: 'DvmExporterNoEvents', instance: 'exporter:9890', severity: 'warning' }),
    ]);
    await until('the alerts to be listed', async () =>
      (await server.alerts()).length === 6 ? true : undefined,
    );
    expect(await stateOf('DvmDown', 'aa')).toBe('inhibited');
    expect(await stateOf('DvmHighErrorRatio', 'bb')).toBe('inhibited');
    expect(await stateOf('DvmExporterNoEvents')).toBe('inhibited');
    expect(await stateOf('DvmExporterNoRelayConnected')).toBe('active');
  });
});
