import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { HttpServer } from '../../exporter/http/server.js';
import type { NostrEvent } from '../../exporter/model/nostr-event.js';
import {
  DEFAULT_SIMULATION,
  downAt,
  SIM_DVMS,
  type SimulatedItem,
  type SimulationOptions,
  simulate,
} from '../../exporter/simulate/index.js';
import { DURATION_BUCKETS } from '../../exporter/sinks/metrics/names.js';
import { REPO_ROOT } from '../support/paths.js';
import { serveMetrics } from './metrics-server.js';
import { PrometheusServer, until } from './prometheus-server.js';
import { SimExporter } from './sim-exporter.js';
import { findTool } from './tools.js';

/*
 * A real Prometheus scrapes the exporter (OpenMetrics, every second) while 90 minutes of simulated DVM
 * traffic play through the real pipeline at SPEED simulated seconds per real second. The exporter's
 * clock follows the simulation, Prometheus's follows the real world, so each alert expression is
 * evaluated with its range windows mapped to the real time over which that much simulated time was
 * fed, and `time()` read as the simulation's present.
 */

const RULES = join(REPO_ROOT, 'provisioning', 'prometheus', 'rules', 'dvm-alerts.yml');
const SPEED = 120;
const SIMULATION: SimulationOptions = {
  ...DEFAULT_SIMULATION,
  seed: 7,
  durationSeconds: 5_400,
  requestsPerMinute: 15,
};
const prometheusBinary = findTool('prometheus');
const dvm = (name: string) => SIM_DVMS.find((d) => d.name === name)!.pubkey;
const nameOf = new Map(SIM_DVMS.map((d) => [d.pubkey, d.name]));

interface Checkpoint {
  readonly sim: number;
  readonly real: number;
}

describe.skipIf(prometheusBinary === null)('against a real Prometheus', () => {
  const start = Math.floor(Date.now() / 1000) - SIMULATION.durationSeconds;
  const options = { ...SIMULATION, start };
  const end = start + options.durationSeconds;
  const items: SimulatedItem[] = [];
  const checkpoints: Checkpoint[] = [];
  let exporter: SimExporter;
  let server: HttpServer;
  let prometheus: PrometheusServer;
  let evalAt = 0;

  /** The PromQL range covering the last `simSeconds` of simulated time, at `evalAt`. */
  const window = (simSeconds: number): string => {
    const from = checkpoints.find((c) => c.sim >= end - simSeconds) ?? checkpoints[0]!;
    return `${Math.max(1, Math.round((evalAt - from.real) * 1000))}ms`;
  };
  /** An alert expression from the rule file, with ranges and `time()` in simulated time. */
  const simulated = (expr: string): string =>
    expr
      .replace(
        /\[(\d+)([mh])\]/g,
        (_, n: string, unit: string) => `[${window(Number(n) * (unit === 'h' ? 3600 : 60))}]`,
      )
      .replaceAll('time()', String(exporter.wall.now()));
  /** The samples an alert expression yields now: which DVMs it would fire for. */
  const alertSamples = async (alert: string) => {
    const file = parse(await readFile(RULES, 'utf8')) as {
      groups: { rules: { alert: string; expr: string }[] }[];
    };
    const rule = file.groups.flatMap((g) => g.rules).find((r) => r.alert === alert)!;
    return prometheus.query(simulated(rule.expr), evalAt);
  };
  const alertDvms = async (alert: string): Promise<string[]> => {
    const names = (await alertSamples(alert)).map(
      (s) => nameOf.get(s.metric.dvm ?? '') ?? String(s.metric.dvm),
    );
    return [...new Set(names)].sort();
  };

  beforeAll(async () => {
    exporter = await SimExporter.start({
      mode: 'run',
      start,
      items: (function* () {
        for (const item of simulate(options)) {
          items.push(item);
          yield item;
        }
      })(),
      metrics: { liveWindowSeconds: 3_600 },
    });
    // Prometheus scrapes the exporter's own HTTP server, so its format negotiation is what Prometheus meets.
    server = await serveMetrics(exporter.registry);
    const target = new URL(server.url).host;
    prometheus = await PrometheusServer.start({ binary: prometheusBinary!, target, ruleFiles: [RULES] });
    await until('the first scrape', () => prometheus.scalar('up{job="dvm-exporter"} == 1'), 30_000);

    // Play the simulation in steps of SPEED simulated seconds per real second.
    const realStart = Date.now();
    checkpoints.push({ sim: start, real: realStart / 1000 });
    for (let step = 1; start + step * SPEED <= end; step++) {
      exporter.feedUntil(start + step * SPEED);
      checkpoints.push({ sim: start + step * SPEED, real: Date.now() / 1000 });
      const pace = realStart + step * 1000 - Date.now();
      if (pace > 0) await new Promise((resolve) => setTimeout(resolve, pace));
    }
    const accepted = exporter.assembly.pipeline.summaryTotals().accepted;
    await until('Prometheus to scrape the final state', async () =>
      (await prometheus.scalar('sum(dvm_exporter_accepted_events_total)')) === accepted ? true : undefined,
    );
    evalAt = Date.now() / 1000;
  }, 240_000);

  afterAll(async () => {
    await prometheus?.stop();
    await server?.close();
  });

  it('counts every request and every result Prometheus scraped', async () => {
    const accepted = items.filter((i) => i.expect.outcome === 'accepted');
    const requests = accepted.filter((i) => i.expect.outcome === 'accepted' && i.expect.role === 'request');
    expect(await prometheus.scalar('sum(dvm_job_requests_total)', evalAt)).toBe(requests.length);
    const results = await prometheus.query('sum by (dvm) (dvm_job_results_total)', evalAt);
    const resultEvents = accepted
      .map((i) => i.event as NostrEvent)
      .filter((e) => e.kind >= 6000 && e.kind < 7000);
    for (const { pubkey, name } of SIM_DVMS) {
      const own = resultEvents.filter((e) => e.pubkey === pubkey).length;
      expect(results.find((r) => r.metric.dvm === pubkey)?.value ?? 0, name).toBe(own);
    }
  });

  it('shows request and result rates, and no results from the DVM that went down', async () => {
    const recent = window(end - downAt(options) - 300);
    expect(await prometheus.scalar(`sum(rate(dvm_job_requests_total[${recent}]))`, evalAt)).toBeGreaterThan(
      0,
    );
    const rates = await prometheus.query(`sum by (dvm) (rate(dvm_job_results_total[${recent}]))`, evalAt);
    const rate = (name: string) => rates.find((r) => r.metric.dvm === dvm(name))?.value;
    expect(rate('Feedwise')).toBeGreaterThan(0);
    expect(rate('Pixelsmith')).toBeGreaterThan(0);
    expect(rate('Lighthouse')).toBe(0);
  });

  it('estimates the median duration in the bucket holding the true median', async () => {
    const feedwise = dvm('Feedwise');
    const requestAt = new Map<string, number>();
    const durations: number[] = [];
    const answered = new Set<string>();
    for (const item of items) {
      if (item.expect.outcome !== 'accepted') continue;
      const event = item.event as NostrEvent;
      if (item.expect.role === 'request') requestAt.set(event.id, event.created_at);
      if (item.expect.role !== 'result' || event.pubkey !== feedwise) continue;
      const requestId = event.tags.find((t) => t[0] === 'e')?.[1];
      const at = requestId === undefined ? undefined : requestAt.get(requestId);
      if (requestId === undefined || at === undefined || answered.has(requestId)) continue;
      answered.add(requestId);
      durations.push(Math.max(0, event.created_at - at));
    }
    durations.sort((a, b) => a - b);
    const median = durations[Math.ceil(durations.length / 2) - 1]!;
    const upper = DURATION_BUCKETS.find((b) => b >= median)!;
    const lower = [0, ...DURATION_BUCKETS].filter((b) => b < upper).at(-1)!;
    const estimate = await prometheus.scalar(
      `histogram_quantile(0.5, sum by (le) (dvm_job_duration_seconds_bucket{dvm="${feedwise}"}))`,
      evalAt,
    );
    expect(estimate).toBeGreaterThanOrEqual(lower);
    expect(estimate).toBeLessThanOrEqual(upper);
    const p90 = await prometheus.scalar(
      `histogram_quantile(0.9, sum by (le) (rate(dvm_job_duration_seconds_bucket[${window(1_800)}])))`,
      evalAt,
    );
    expect(p90).toBeGreaterThan(0);
    expect(p90).toBeLessThan(7_200);
  });

  it('finds the DVM that went down, and only it, with the DvmDown expression', async () => {
    expect(await alertDvms('DvmDown')).toEqual(['Lighthouse']);
    // Both kinds of evidence: addressed jobs unanswered, and heartbeats that stopped.
    const evidence = (await alertSamples('DvmDown')).map((s) => s.metric.evidence).sort();
    expect(evidence).toEqual(['heartbeat_stale', 'unanswered']);
    expect(await prometheus.scalar(`dvm_up{dvm="${dvm('Lighthouse')}"}`, evalAt)).toBe(0);
    expect(await prometheus.scalar(`dvm_up{dvm="${dvm('Feedwise')}"}`, evalAt)).toBe(1);
  });

  it('finds the DVM that asks for payment and never delivers with DvmPaymentRequestedNoResult', async () => {
    expect(await alertDvms('DvmPaymentRequestedNoResult')).toEqual(['Tollbooth']);
  });

  it('keeps exemplars with trace ids of the simulated job chains', async () => {
    const data = await prometheus.api<Array<{ exemplars: Array<{ labels: Record<string, string> }> }>>(
      '/api/v1/query_exemplars',
      { query: 'dvm_job_duration_seconds_bucket', start: String(evalAt - 600), end: String(evalAt) },
    );
    const traceIds = data.flatMap((series) => series.exemplars.map((e) => e.labels.traceId));
    expect(traceIds.length).toBeGreaterThan(0);
    const requestPrefixes = new Set(
      items
        .filter((i) => i.expect.outcome === 'accepted')
        .map((i) => (i.event as NostrEvent).id.slice(0, 32)),
    );
    for (const traceId of traceIds) expect(requestPrefixes.has(traceId ?? ''), traceId).toBe(true);
  });

  it('loads and evaluates every alert rule without error', async () => {
    const groups = await until('rule evaluation', async () => {
      const data = await prometheus.api<{
        groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }>;
      }>('/api/v1/rules', {});
      const rules = data.groups.flatMap((g) => g.rules);
      return rules.length > 0 && rules.every((r) => r.health !== 'unknown') ? rules : undefined;
    });
    expect(groups.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError}`)).toEqual([]);
  });
});
