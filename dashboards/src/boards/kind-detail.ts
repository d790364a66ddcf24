import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { sqlTable } from '../lib/clickhouse.js';
import { dashboard } from '../lib/dashboard.js';
import { eventsTable } from '../lib/events-table.js';
import { section } from '../lib/layout.js';
import { rowField, seriesLabel, sqlString, toDvm } from '../lib/links.js';
import { stat, table, timeSeries, UNITS } from '../lib/panels.js';
import { promInstant, promRange, promRangeWithExemplars } from '../lib/prometheus.js';
import { quantile, rateBy, withDvmName } from '../lib/promql.js';
import { RESPONSE_STATS_COLUMNS, RESPONSE_STATS_SQL, responseStatsFrom } from '../lib/response-stats.js';
import { feedbackByStatus, liveRateStat, requestsAndResultsHistory } from '../lib/shared-panels.js';
import { dvmName, kindLabel } from '../lib/sql.js';
import { DASHBOARD_UIDS } from '../lib/uids.js';
import { kindVariable } from '../lib/variables.js';

/**
 * One request kind (`$kind`): DVMDash's per-kind cards (jobs requested, jobs finished, DVMs, sats),
 * requests against results over time, the DVMs serving it ranked by speed and success, and its
 * latest events.
 */

/** The kind as a number, whatever text the variable holds (a result kind is not a request kind). */
const KIND = `toUInt16OrZero(${sqlString('kind')})`;
const SEL = 'kind="$kind"';

const card = (title: string, description: string, rawSql: string, unit: string = UNITS.count) =>
  stat({
    title,
    description,
    unit,
    decimals: unit === UNITS.sats ? 0 : undefined,
    targets: [sqlTable(rawSql)],
  });

const allTimeCards = [
  card(
    'Jobs requested',
    'Requests of this kind, all time.',
    `SELECT count() AS value FROM job_requests WHERE kind = ${KIND}`,
  ),
  card(
    'Jobs finished',
    'Requests of this kind with at least one result, all time.',
    `SELECT uniqExactIf(job_id, result_count > 0) AS value FROM job_responses WHERE kind = ${KIND}`,
  ),
  card(
    'Number of DVMs',
    'DVMs that delivered a result for this kind.',
    `SELECT uniqExactIf(dvm, result_count > 0) AS value FROM job_responses WHERE kind = ${KIND}`,
  ),
  card(
    'Total sats paid to DVMs',
    'Payment asked, then result delivered (estimate), all time.',
    `SELECT sum(earned_msat) / 1000 AS value FROM job_responses WHERE kind = ${KIND}`,
    UNITS.sats,
  ),
  liveRateStat('Requests / s', 'dvm_job_requests_total', SEL),
  stat({
    title: 'In flight',
    description: 'Requests of this kind waiting for a result now.',
    unit: UNITS.count,
    targets: [promInstant(`sum(dvm_jobs_in_flight{${SEL}})`)],
  }),
];

const overTime = [
  timeSeries({
    title: 'Requests and results (live)',
    unit: UNITS.requestRate,
    targets: [
      promRange(rateBy('dvm_job_requests_total', [], SEL), 'requests'),
      promRange(rateBy('dvm_job_results_total', [], SEL), 'results', 'B'),
    ],
  }),
  requestsAndResultsHistory(`job_kind = ${KIND}`),
  timeSeries({
    title: 'Job duration by DVM (p50)',
    description: 'Request to result. Exemplars open the job trace.',
    unit: UNITS.seconds,
    links: [toDvm(seriesLabel('dvm'))],
    targets: [
      promRangeWithExemplars(
        withDvmName(quantile(0.5, 'dvm_job_duration_seconds', ['dvm'], SEL)),
        '{{name}}',
      ),
    ],
  }),
  feedbackByStatus(SEL),
];

const ranking = table({
  title: 'DVMs ranked by success, then speed (all time)',
  description: 'Success: share of the jobs it answered that it delivered. Times: request to first result.',
  height: 10,
  targets: [
    sqlTable(`
      SELECT
          r.dvm AS dvm,
          ${dvmName('r.dvm', 'p.name')} AS name,
          ${responseStatsFrom('r')}
      FROM
      (
          SELECT dvm, ${RESPONSE_STATS_SQL}
          FROM job_responses
          WHERE kind = ${KIND}
          GROUP BY dvm
      ) AS r
      LEFT JOIN dvm_profiles AS p ON p.dvm = r.dvm
      ORDER BY success_ratio DESC, p50_seconds ASC, name`),
  ],
  columns: [
    { field: 'dvm', hidden: true },
    { field: 'name', header: 'DVM', links: [toDvm(rowField('dvm'))] },
    ...RESPONSE_STATS_COLUMNS,
  ],
});

const recentEvents = eventsTable({
  title: 'Latest 100 events',
  description: 'Requests and results of this kind, and feedback on its requests.',
  order: 'newest first',
  limit: 100,
  from: `
        SELECT * FROM events FINAL
        WHERE (role IN ('request', 'result') AND job_kind = ${KIND})
           OR (role = 'feedback' AND request_id IN (SELECT id FROM events WHERE role = 'request' AND kind = ${KIND}))
        ORDER BY created_at DESC
        LIMIT 100`,
  extra: [{ sql: 'toString(status) AS status', column: { field: 'status', header: 'Status', width: 120 } }],
});

export function kindDetail(): DashboardBuilder {
  const d = dashboard({
    uid: DASHBOARD_UIDS.kindDetail,
    title: 'DVM kind detail',
    description: 'One job kind: traffic, the DVMs serving it ranked, sats, latest events.',
  }).withVariable(
    kindVariable(`
      SELECT DISTINCT job_kind AS kind, ${kindLabel('job_kind')} AS label
      FROM events_daily
      WHERE role IN ('request', 'result') AND job_kind BETWEEN 5000 AND 5999`),
  );
  section(d, 'Totals', allTimeCards);
  section(d, 'Over time', overTime);
  section(d, 'DVMs serving this kind', [ranking]);
  section(d, 'Latest events', [recentEvents]);
  return d;
}
