import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startAlertPath } from '../tests/support/alert-path.js';
import { SHIPPED_ALERTMANAGER_CONFIG } from '../tests/support/alertmanager.js';
import { REPO_ROOT } from '../tests/support/paths.js';
import { until } from '../tests/support/prometheus.js';
import { machineLine } from './machine.js';

/**
 * Time from a DVM's last answer to the alert's direct message on the relay.
 *
 * Measured: one run of the whole path (live test DVM, exporter, Debian's Prometheus and Alertmanager,
 * relay) with every time constant of the shipped rules scaled by SCALE and Alertmanager's group_wait 1 s:
 * last answer -> Prometheus says firing -> message stored on the relay.
 * Computed for the shipped settings: the rule's own waits (the results window must empty, then `for`),
 * up to one scrape and one evaluation interval, the shipped group_wait, plus the measured
 * firing -> message time of the short run less its 1 s group_wait.
 */

const SCALE = 1 / 120;

const seconds = (d: string): number => {
  const m = /^(\d+)(ms|s|m|h)$/.exec(d);
  if (!m) throw new Error(`duration ${d}`);
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] as 'ms' | 's' | 'm' | 'h'];
};

const prometheusYml = parse(readFileSync(join(REPO_ROOT, 'provisioning/prometheus/prometheus.yml'), 'utf8'));
const rules = parse(readFileSync(join(REPO_ROOT, 'provisioning/prometheus/rules/dvm-alerts.yml'), 'utf8'));
const down = rules.groups
  .flatMap((g: { rules: unknown[] }) => g.rules)
  .find((r: { alert?: string }) => r.alert === 'DvmDown');
const resultsWindow = seconds(/increase\(dvm_job_results_total\[(\w+)\]\)/.exec(down.expr)![1]!);
const forSeconds = seconds(down.for);
const scrape = seconds(prometheusYml.global.scrape_interval);
const evaluation = seconds(prometheusYml.global.evaluation_interval);
const groupWait = seconds(parse(readFileSync(SHIPPED_ALERTMANAGER_CONFIG, 'utf8')).route.group_wait);

const path = await startAlertPath({
  prometheusBinary: 'prometheus',
  alertmanagerBinary: 'prometheus-alertmanager',
  scale: SCALE,
});
try {
  await until('the DVM to answer', async () =>
    ((await path.prometheus.scalar(`sum(dvm_job_results_total{dvm="${path.dvm.pubkey}"})`)) ?? 0) >= 3
      ? true
      : undefined,
  );
  path.dvm.behaviour = 'silent';
  const lastAnswer = path.dvm.lastAnswerAt!;
  const firingAt = await until(
    'Prometheus to fire DvmDown',
    async () => {
      const data = await path.prometheus.api<{ alerts: { labels: { alertname: string }; state: string }[] }>(
        '/api/v1/alerts',
        {},
      );
      return data.alerts.some((a) => a.labels.alertname === 'DvmDown' && a.state === 'firing')
        ? Date.now()
        : undefined;
    },
    120_000,
  );
  const message = await until(
    'the message on the relay',
    async () => path.messages().find((m) => m.content.startsWith('FIRING: DvmDown')),
    120_000,
  );
  const toFiring = (firingAt - lastAnswer) / 1000;
  const delivery = (message.storedAt - firingAt) / 1000;
  console.log(machineLine());
  console.log(
    `measured, rules scaled x${SCALE.toFixed(4)} and group_wait 1 s: last answer -> firing ${toFiring.toFixed(1)} s, firing -> message on relay ${delivery.toFixed(2)} s, total ${((message.storedAt - lastAnswer) / 1000).toFixed(1)} s`,
  );
  const fixed = resultsWindow + forSeconds + groupWait + Math.max(0, delivery - 1);
  console.log(
    `shipped settings (computed: results window ${resultsWindow} s + for ${forSeconds} s + group_wait ${groupWait} s + measured delivery, plus up to scrape ${scrape} s + evaluation ${evaluation} s): ${(fixed / 60).toFixed(1)} to ${((fixed + scrape + evaluation) / 60).toFixed(1)} min from the last answer`,
  );
} finally {
  await path.stop();
}
process.exit(0);
