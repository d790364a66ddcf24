import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { sqlTable, sqlTimeSeries } from '../lib/clickhouse.js';
import { dashboard } from '../lib/dashboard.js';
import { eventsTable } from '../lib/events-table.js';
import { section } from '../lib/layout.js';
import { CELL_VALUE, rowField, seriesLabel, sqlString, toJob, toKind, toTrace } from '../lib/links.js';
import { alertList, pie, RATIO_STEPS, stat, table, timeSeries, UNITS, UP_DOWN } from '../lib/panels.js';
import { promInstant, promRange, promRangeWithExemplars } from '../lib/prometheus.js';
import { increaseBy, quantile, rateBy } from '../lib/promql.js';
import { RESPONSE_STATS_COLUMNS, RESPONSE_STATS_SQL } from '../lib/response-stats.js';
import { alertsFiringStat, feedbackByStatus, liveRateStat, satsPerHour } from '../lib/shared-panels.js';
import { dvmName, kindName } from '../lib/sql.js';
import { DASHBOARD_UIDS } from '../lib/uids.js';
import { dvmVariable } from '../lib/variables.js';

/**
 * One DVM (`$dvm`): DVMDash's per-DVM page (profile card, jobs performed, sats earned, per-kind
 * table, latest events with "debug this chain" links) plus live health, latency and its alerts.
 */

const ME = sqlString('dvm');
const SEL = 'dvm="$dvm"';

const profile = table({
  title: 'NIP-89 profile',
  description: "The DVM's newest kind 31990 announcement, and what it was seen doing.",
  height: 5,
  targets: [
    sqlTable(`
      SELECT
          ${dvmName('d.dvm', 'd.name')} AS name,
          coalesce(d.about, '') AS about,
          coalesce(d.picture, '') AS picture,
          coalesce(p.lud16, '') AS lud16,
          arrayStringConcat(arrayMap(k -> toString(k), d.announced_kinds), ', ') AS announced_kinds,
          arrayStringConcat(arrayMap(k -> toString(k), d.result_kinds), ', ') AS served_kinds,
          multiIf(p.supports_encryption = 1, 'yes', p.supports_encryption = 0, 'no', '') AS encryption,
          multiIf(p.accepts_nutzaps = 1, 'yes', p.accepts_nutzaps = 0, 'no', '') AS cashu,
          coalesce(p.nip90_params, '') AS params,
          d.first_seen_at AS first_seen,
          d.last_heartbeat_at AS last_heartbeat
      FROM dvms AS d
      LEFT JOIN dvm_profiles AS p ON p.dvm = d.dvm
      WHERE d.dvm = ${ME}`),
  ],
  columns: [
    { field: 'name', header: 'Name', width: 140 },
    { field: 'about', header: 'About' },
    {
      field: 'picture',
      header: 'Picture',
      width: 80,
      links: [{ title: 'Open picture', url: CELL_VALUE, targetBlank: true }],
    },
    { field: 'lud16', header: 'Lightning', width: 140 },
    { field: 'announced_kinds', header: 'Announced kinds', width: 130 },
    { field: 'served_kinds', header: 'Served kinds', width: 130 },
    { field: 'encryption', header: 'Encryption', width: 90 },
    { field: 'cashu', header: 'Cashu', width: 70 },
    { field: 'params', header: 'nip90Params', width: 160, cell: 'json-view' },
    { field: 'first_seen', header: 'First seen', unit: UNITS.timestamp, width: 170 },
    { field: 'last_heartbeat', header: 'Last heartbeat', unit: UNITS.timestamp, width: 170 },
  ],
});

const allTime = (title: string, unit: string, expr: string, description: string, extra: object = {}) =>
  stat({
    title,
    description,
    unit,
    width: 3,
    targets: [sqlTable(`SELECT ${expr} AS value FROM job_responses WHERE dvm = ${ME}`)],
    ...extra,
  });

/** A count from its activity summary (every result and feedback event, each once). */
const activity = (title: string, column: string, description: string) =>
  stat({
    title,
    description,
    unit: UNITS.count,
    width: 3,
    targets: [sqlTable(`SELECT ${column} AS value FROM dvm_activity WHERE dvm = ${ME}`)],
  });

const historyCards = [
  allTime(
    'Jobs performed',
    UNITS.count,
    'countIf(result_count > 0)',
    'Jobs it delivered a result for, all time.',
  ),
  allTime(
    'Sats earned',
    UNITS.sats,
    'sum(earned_msat) / 1000',
    'Payment asked, then result delivered; all time.',
    {
      decimals: 0,
    },
  ),
  allTime(
    'Success',
    UNITS.ratio,
    'countIf(result_count > 0) / count()',
    'Jobs it answered that it delivered.',
    {
      steps: RATIO_STEPS,
    },
  ),
  allTime(
    'Median response',
    UNITS.seconds,
    'quantileExact(0.5)(result_seconds)',
    'Request to first result, all time.',
  ),
  allTime(
    'p95 response',
    UNITS.seconds,
    'quantileExact(0.95)(result_seconds)',
    'Request to first result, all time.',
  ),
  allTime('Customers', UNITS.count, 'uniqExact(customer)', 'Distinct keys whose jobs it answered.'),
  activity('Results', 'results', 'Result events it published, all time.'),
  activity('Feedback', 'feedback', 'Feedback events it published, all time.'),
];

const liveCards = [
  stat({
    title: 'Up',
    description: '0 only on evidence: addressed jobs unanswered, or heartbeats stopped.',
    unit: UNITS.count,
    steps: UP_DOWN.steps,
    mappings: UP_DOWN.mappings,
    targets: [promInstant(`max(dvm_up{${SEL}})`)],
  }),
  stat({
    title: 'State',
    unit: UNITS.text,
    show: 'name',
    targets: [promInstant(`max by (state) (dvm_state{${SEL}} == 1)`, '{{state}}')],
  }),
  stat({
    title: 'Last seen',
    description: 'created_at of its newest result or feedback.',
    unit: UNITS.sinceNow,
    targets: [promInstant(`max(dvm_last_seen_timestamp_seconds{${SEL}}) * 1000`)],
  }),
  stat({
    title: 'Working on',
    description: 'Open jobs it reported processing or partial results for, with no result yet.',
    unit: UNITS.count,
    targets: [promInstant(`sum(dvm_jobs_in_progress{${SEL}})`)],
  }),
  liveRateStat('Results / s', 'dvm_job_results_total', SEL),
  alertsFiringStat(SEL),
];

const overTime = [
  timeSeries({
    title: 'Results by kind',
    unit: UNITS.requestRate,
    stacked: true,
    links: [toKind(seriesLabel('kind'))],
    targets: [promRange(rateBy('dvm_job_results_total', ['kind'], SEL), '{{kind}}')],
  }),
  feedbackByStatus(SEL),
  timeSeries({
    title: 'Response times',
    description: 'Request to first feedback or result, and request to result. Exemplars open the job trace.',
    unit: UNITS.seconds,
    targets: [
      promRangeWithExemplars(quantile(0.5, 'dvm_job_first_response_seconds', [], SEL), 'first response p50'),
      promRangeWithExemplars(quantile(0.5, 'dvm_job_duration_seconds', [], SEL), 'result p50', 'B'),
      promRangeWithExemplars(quantile(0.95, 'dvm_job_duration_seconds', [], SEL), 'result p95', 'C'),
    ],
  }),
  timeSeries({
    title: 'Probes: success',
    description:
      'Active probes (/probe, scrape job dvm-probe, docs/probes.md): 1 when the canary job got its result within the timeout, 0 when not, by module.',
    unit: UNITS.count,
    targets: [promRange(`probe_success{job="dvm-probe",${SEL}}`, '{{module}}')],
  }),
  timeSeries({
    title: 'Probes: durations',
    description:
      'Seconds a probe took (up to the module timeout when the DVM never answers), and from the canary request to its result (a gap when none came), by module.',
    unit: UNITS.seconds,
    targets: [
      promRange(`probe_duration_seconds{job="dvm-probe",${SEL}}`, 'probe {{module}}'),
      promRange(`probe_result_seconds{job="dvm-probe",${SEL}} > 0`, 'result {{module}}', 'B'),
    ],
  }),
  timeSeries({
    title: 'Jobs answered (history)',
    description: 'From ClickHouse by created_at of its first answer: answered, and delivered.',
    unit: UNITS.count,
    bars: true,
    targets: [
      sqlTimeSeries(`
        SELECT $__timeInterval(first_response_at) AS time,
               count() AS answered,
               countIf(result_count > 0) AS delivered
        FROM job_responses
        WHERE dvm = ${ME} AND $__timeFilter(first_response_at)
        GROUP BY time
        ORDER BY time`),
    ],
  }),
];

const perKind = table({
  title: 'Per-kind performance (all time)',
  width: 16,
  height: 8,
  targets: [
    sqlTable(`
      SELECT
          kind,
          ${kindName('kind')} AS kind_name,
          ${RESPONSE_STATS_SQL}
      FROM job_responses
      WHERE dvm = ${ME}
      GROUP BY kind
      ORDER BY jobs DESC`),
  ],
  columns: [
    { field: 'kind', header: 'Kind', width: 70, links: [toKind(CELL_VALUE)] },
    { field: 'kind_name', header: 'Name', links: [toKind(rowField('kind'))] },
    ...RESPONSE_STATS_COLUMNS,
  ],
});

const feedbackMix = pie({
  title: 'Feedback mix (selected range)',
  unit: UNITS.count,
  height: 8,
  targets: [promInstant(increaseBy('dvm_job_feedback_total', ['status'], SEL), '{{status}}')],
});

const payments = [
  satsPerHour(SEL, 10),
  table({
    title: 'Asked for payment, never delivered',
    description: 'Jobs where this DVM sent payment-required feedback and no result (newest 100).',
    width: 14,
    height: 8,
    noValue: 'None: every job it asked payment for got a result.',
    targets: [
      sqlTable(`
        SELECT first_response_at AS time, job_id AS job, kind,
               coalesce(invoice_msat, requested_msat) / 1000 AS sats,
               toString(final_status) AS status, trace_id
        FROM job_responses
        WHERE dvm = ${ME} AND result_count = 0 AND (bolt11 != '' OR requested_msat IS NOT NULL)
        ORDER BY time DESC
        LIMIT 100`),
    ],
    columns: [
      { field: 'time', header: 'Asked', unit: UNITS.timestamp, width: 170 },
      { field: 'job', header: 'Job', links: [toJob(CELL_VALUE)] },
      { field: 'kind', header: 'Kind', width: 70, links: [toKind(CELL_VALUE)] },
      { field: 'sats', header: 'Sats', unit: UNITS.sats, decimals: 0, width: 100 },
      { field: 'status', header: 'Last status', width: 130 },
      { field: 'trace_id', header: 'Trace', links: toTrace(CELL_VALUE) },
    ],
  }),
];

const recentEvents = eventsTable({
  title: 'Latest 100 events',
  description: 'Its results, feedback, heartbeats and announcements, and requests addressed to it.',
  order: 'newest first',
  limit: 100,
  from: `
        SELECT * FROM events FINAL
        WHERE pubkey = ${ME} OR dvm = ${ME} OR has(targets, ${ME})
        ORDER BY created_at DESC
        LIMIT 100`,
  extra: [{ sql: 'toString(status) AS status', column: { field: 'status', header: 'Status', width: 120 } }],
});

export function dvmDetail(): DashboardBuilder {
  const d = dashboard({
    uid: DASHBOARD_UIDS.dvmDetail,
    title: 'DVM detail',
    description: 'One DVM: profile, history, live health, per-kind performance, payments, events, alerts.',
  }).withVariable(
    dvmVariable(`
      SELECT dvm, ${dvmName('dvm', 'name')} AS label
      FROM dvms`),
  );
  section(d, 'Profile', [profile]);
  section(d, 'All time (ClickHouse)', historyCards);
  section(d, 'Live (Prometheus)', liveCards);
  section(d, 'Jobs over time', overTime);
  section(d, 'Per kind', [perKind, feedbackMix]);
  section(d, 'Payments', payments);
  section(d, 'Latest events', [recentEvents]);
  section(d, 'Alerts', [alertList('Alerts for this DVM', `{${SEL}}`, 24, 6)]);
  return d;
}
