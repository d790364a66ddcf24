import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readCompose } from '../compose/support/compose.js';
import type { PrometheusServer } from '../metrics/prometheus-server.js';
import { findTool } from '../metrics/tools.js';
import {
  isPromQuery,
  loadDashboards,
  type Panel,
  type PanelQuery,
  panelQueries,
} from './support/dashboards.js';
import { seriesLabels } from './support/links.js';
import { type LiveStack, RULES, startLiveStack } from './support/live-stack.js';
import { fieldsUsedBy } from './support/panel-fields.js';
import {
  builtInVariables,
  interpolate,
  prometheusFormat,
  type VariableValue,
} from './support/template-variables.js';

/**
 * Every PromQL expression of every panel, with Grafana's variables filled in as the Prometheus
 * datasource fills them, and every alert rule expression, run against a real Prometheus scraping
 * `dvm-exporter run` while the simulator publishes history and live traffic to its relay.
 */

const prometheusBinary = findTool('prometheus');
const dashboards = loadDashboards();
const queries = panelQueries(dashboards).filter(isPromQuery);

interface Series {
  metric: Record<string, string>;
  values: number;
}

describe.skipIf(prometheusBinary === null)('PromQL of the dashboards on live simulator traffic', () => {
  let stack: LiveStack;
  let prometheus: PrometheusServer;
  /** Per query, the series it returned for each variable scenario of its dashboard. */
  const results = new Map<PanelQuery, Series[]>();

  beforeAll(async () => {
    stack = await startLiveStack(prometheusBinary!);
    prometheus = stack.prometheus;
    const now = Date.now() / 1000;
    const values = async (expr: string, label: string) =>
      (await prometheus.query(expr)).map((s) => s.metric[label]!).sort();
    const elapsed = Math.ceil(now - stack.startedAt) + 5;
    const base: Record<string, VariableValue> = {
      ...builtInVariables({ fromMs: stack.startedAt * 1000, toMs: now * 1000 }, 1000),
      // The dashboard range is the life of the stack; $__rate_interval spans it so rates see every scrape.
      __range: `${elapsed}s`,
      __rate_interval: `${elapsed}s`,
      relay: await values('max by (relay) (nostr_relay_up)', 'relay'),
      jaeger_ui: 'http://localhost:16686',
    };
    // Every value the dashboards' variables would offer: each DVM, each kind.
    const scenarios: Record<string, Array<Record<string, VariableValue>>> = {
      'dvm-detail': (await values('dvm_info', 'dvm')).map((dvm) => ({ ...base, dvm })),
      'dvm-kind-detail': (await values('sum by (kind) (dvm_job_requests_total)', 'kind')).map((kind) => ({
        ...base,
        kind,
      })),
    };
    for (const q of queries) {
      const series: Series[] = [];
      for (const variables of scenarios[q.dashboard.uid] ?? [base]) {
        const expr = interpolate(q.target.expr ?? '', variables, prometheusFormat);
        series.push(
          ...(q.target.instant === true ? await instant(expr) : await range(expr, stack.startedAt, now)),
        );
      }
      results.set(q, series);
    }
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
  });

  async function instant(expr: string): Promise<Series[]> {
    const data = await prometheus.api<{ resultType: string; result: unknown }>('/api/v1/query', {
      query: expr,
    });
    if (data.resultType === 'scalar') return [{ metric: {}, values: 1 }];
    return (data.result as Array<{ metric: Record<string, string> }>).map((r) => ({
      metric: r.metric,
      values: 1,
    }));
  }

  async function range(expr: string, from: number, to: number): Promise<Series[]> {
    const data = await prometheus.api<{
      result: Array<{ metric: Record<string, string>; values: unknown[] }>;
    }>('/api/v1/query_range', { query: expr, start: String(from), end: String(to), step: '1' });
    return data.result.map((r) => ({ metric: r.metric, values: r.values.length }));
  }

  it('covers every Prometheus panel', () => {
    expect(queries.length).toBeGreaterThan(60);
  });

  const panels = [...new Set(queries.map((q) => q.panel))];
  const panelName = (p: Panel) => `${queries.find((q) => q.panel === p)!.dashboard.uid} / ${p.title}`;

  it.each(panels.map((p) => [panelName(p), p] as const))('%s shows data', (_name, panel) => {
    const targets = queries.filter((q) => q.panel === panel);
    const series = targets.flatMap((q) => results.get(q)!);
    expect(
      series.filter((s) => s.values > 0).length,
      JSON.stringify(targets.map((q) => q.target.expr)),
    ).toBeGreaterThan(0);
  });

  it.each(panels.map((p) => [panelName(p), p] as const))(
    '%s: labels its links and columns read exist',
    (_name, panel) => {
      const targets = queries.filter((q) => q.panel === panel);
      const series = targets.flatMap((q) => results.get(q)!);
      // `${__field.labels.X}` in a time-series link: every series carries X.
      for (const link of panel.fieldConfig?.overrides?.flatMap((o) => o.properties) ?? []) {
        if (link.id !== 'links') continue;
        for (const { url } of link.value as Array<{ url: string }>) {
          for (const label of seriesLabels(url)) {
            for (const s of series) expect(s.metric, `series of ${panel.title}`).toHaveProperty(label);
          }
        }
      }
      // Table panels: columns are the labels, Time, and one value column per query.
      if (targets.some((q) => q.target.format === 'table')) {
        const columns = new Set(['Time', ...series.flatMap((s) => Object.keys(s.metric))]);
        for (const q of targets) columns.add(targets.length > 1 ? `Value #${q.target.refId}` : 'Value');
        for (const field of fieldsUsedBy(panel)) expect([...columns], `column "${field}"`).toContain(field);
      }
    },
  );

  it("passes the exporter's docker-compose healthcheck", () => {
    const compose = readCompose();
    const [, node, flag, script] = compose.services.exporter!.healthcheck!.test as string[];
    expect([node, flag]).toEqual(['node', '-e']);
    const local = script!.replace('http://127.0.0.1:9890', stack.exporterUrl);
    expect(local).not.toBe(script);
    expect(() => execFileSync(process.execPath, ['-e', local], { timeout: 10_000 })).not.toThrow();
  });

  it('keeps the traceId exemplars the latency panels link to Jaeger', async () => {
    const exemplarPanels = queries.filter((q) => q.target.exemplar === true);
    expect(exemplarPanels.length).toBeGreaterThan(0);
    const data = await prometheus.api<Array<{ exemplars: Array<{ labels: Record<string, string> }> }>>(
      '/api/v1/query_exemplars',
      {
        query: 'dvm_job_duration_seconds_bucket',
        start: String(stack.startedAt),
        end: String(Date.now() / 1000),
      },
    );
    const labels = data.flatMap((d) => d.exemplars.map((e) => e.labels));
    expect(labels.length).toBeGreaterThan(0);
    // The label name Grafana's exemplarTraceIdDestinations reads.
    for (const l of labels) expect(l.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('runs every alert rule, on metrics the exporter exposes', async () => {
    const file = parse(readFileSync(RULES, 'utf8')) as {
      groups: { rules: { alert?: string; expr: string }[] }[];
    };
    const rules = file.groups.flatMap((g) => g.rules);
    expect(rules.length).toBeGreaterThan(4);
    const metrics = new Set<string>();
    for (const rule of rules) {
      await expect(prometheus.query(rule.expr), rule.alert).resolves.toBeInstanceOf(Array);
      for (const [name] of rule.expr.matchAll(/\b(?:dvm|nostr_relay)_[a-z_]+\b/g)) metrics.add(name);
    }
    // Each metric an alert reads is one the exporter exposes (its # TYPE line is scraped even while a
    // counter such as label overflow has no series yet): a typo in a rule can never silence it.
    for (const metric of metrics) {
      // OpenMetrics names a counter family without `_total`, a histogram without its suffixes.
      const family = metric.replace(/_(bucket|sum|count|total)$/, '');
      const metadata = await prometheus.api<Record<string, unknown[]>>('/api/v1/metadata', {});
      const known = Object.keys(metadata);
      expect(
        known.includes(family) || known.includes(metric),
        `${metric}, read by an alert rule, is not exposed`,
      ).toBe(true);
    }
  });
});
