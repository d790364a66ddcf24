import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { sqlTable } from '../lib/clickhouse.js';
import { dashboard } from '../lib/dashboard.js';
import { section } from '../lib/layout.js';
import { CELL_VALUE, rowField, seriesLabel, toKind } from '../lib/links.js';
import { RATIO_STEPS, table, timeSeries, UNITS } from '../lib/panels.js';
import { promRange } from '../lib/prometheus.js';
import { rateBy } from '../lib/promql.js';
import { kindName } from '../lib/sql.js';
import { DASHBOARD_UIDS } from '../lib/uids.js';

/** DVMDash's kind browser: every request kind, its traffic and the DVMs serving it. */

const kindsSql = `
    SELECT
        if(q.kind = 0, r.kind, q.kind) AS kind,
        ${kindName('kind')} AS kind_name,
        q.requests AS requests,
        q.users AS users,
        r.results AS results,
        r.dvms AS dvms,
        if(q.requests = 0, NULL, r.answered_jobs / q.requests) AS answered_ratio,
        r.p50_seconds AS p50_seconds,
        r.sats_earned AS sats_earned,
        q.last_request AS last_request
    FROM
    (
        SELECT kind, count() AS requests, uniqExact(customer) AS users, max(created_at) AS last_request
        FROM job_requests
        GROUP BY kind
    ) AS q
    FULL OUTER JOIN
    (
        SELECT
            kind,
            sum(result_count) AS results,
            uniqExactIf(dvm, result_count > 0) AS dvms,
            uniqExactIf(job_id, result_count > 0 AND request_seen = 1) AS answered_jobs,
            quantileExact(0.5)(result_seconds) AS p50_seconds,
            sum(earned_msat) / 1000 AS sats_earned
        FROM job_responses
        GROUP BY kind
    ) AS r ON r.kind = q.kind
    ORDER BY requests DESC, kind`;

const kindsTable = table({
  title: 'Kinds (all time)',
  description:
    'Every request kind seen. Results: result events (several DVMs may answer one request). DVMs: keys that ' +
    'delivered a result. Answered: share of requests with at least one result.',
  height: 16,
  targets: [sqlTable(kindsSql)],
  columns: [
    { field: 'kind', header: 'Kind', width: 80, links: [toKind(CELL_VALUE)] },
    { field: 'kind_name', header: 'Name', links: [toKind(rowField('kind'))] },
    { field: 'requests', header: 'Requests', unit: UNITS.count },
    { field: 'users', header: 'Users', unit: UNITS.count },
    { field: 'results', header: 'Results', unit: UNITS.count },
    { field: 'dvms', header: 'DVMs', unit: UNITS.count },
    {
      field: 'answered_ratio',
      header: 'Answered',
      unit: UNITS.ratio,
      decimals: 0,
      cell: 'color-text',
      steps: RATIO_STEPS,
    },
    { field: 'p50_seconds', header: 'p50 result', unit: UNITS.seconds },
    { field: 'sats_earned', header: 'Sats earned', unit: UNITS.sats, decimals: 0 },
    { field: 'last_request', header: 'Last request', unit: UNITS.timestamp },
  ],
});

const trends = [
  timeSeries({
    title: 'Requests per second by kind',
    unit: UNITS.requestRate,
    stacked: true,
    links: [toKind(seriesLabel('kind'))],
    targets: [promRange(rateBy('dvm_job_requests_total', ['kind']), '{{kind}}')],
  }),
  timeSeries({
    title: 'Results per second by kind',
    unit: UNITS.requestRate,
    stacked: true,
    links: [toKind(seriesLabel('kind'))],
    targets: [promRange(rateBy('dvm_job_results_total', ['kind']), '{{kind}}')],
  }),
  timeSeries({
    title: 'Jobs in flight by kind',
    description: 'Requests waiting for a result.',
    unit: UNITS.count,
    stacked: true,
    links: [toKind(seriesLabel('kind'))],
    targets: [promRange('sum by (kind) (dvm_jobs_in_flight)', '{{kind}}')],
  }),
  timeSeries({
    title: 'Oldest job in flight by kind',
    unit: UNITS.seconds,
    links: [toKind(seriesLabel('kind'))],
    targets: [promRange('max by (kind) (dvm_oldest_in_flight_job_age_seconds)', '{{kind}}')],
  }),
];

export function kinds(): DashboardBuilder {
  const d = dashboard({
    uid: DASHBOARD_UIDS.kinds,
    title: 'DVM kinds',
    description: 'Every job kind: requests, results, users, the DVMs serving it.',
  });
  section(d, 'Kinds', [kindsTable]);
  section(d, 'Live (Prometheus)', trends);
  return d;
}
