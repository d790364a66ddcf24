import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { sqlTable } from '../lib/clickhouse.js';
import { dashboard } from '../lib/dashboard.js';
import { section } from '../lib/layout.js';
import { CELL_VALUE, rowField, seriesLabel, toDvm } from '../lib/links.js';
import { pie, table, timeSeries, UNITS, UP_DOWN } from '../lib/panels.js';
import { promInstant, promRange, promTable } from '../lib/prometheus.js';
import { quantile, quantileOverRange, withDvmName } from '../lib/promql.js';
import { RESPONSE_STATS_COLUMNS, RESPONSE_STATS_SQL, responseStatsFrom } from '../lib/response-stats.js';
import { dvmsDownStat, dvmsUpStat } from '../lib/shared-panels.js';
import { dvmName } from '../lib/sql.js';
import { DASHBOARD_UIDS } from '../lib/uids.js';

/**
 * DVMDash's DVM browser: every DVM with its NIP-89 name and picture, what it serves, how it performs
 * and what it earned (history, ClickHouse), and whether it is up right now (Prometheus).
 */

const directorySql = `
    SELECT
        d.dvm AS dvm,
        ${dvmName('d.dvm', 'd.name')} AS name,
        coalesce(d.picture, '') AS picture,
        arrayStringConcat(arrayMap(k -> toString(k), arraySort(arrayDistinct(arrayConcat(d.announced_kinds, d.result_kinds)))), ', ') AS kinds,
        ${responseStatsFrom('s', 'dvm')},
        d.last_seen_at AS last_seen,
        d.last_heartbeat_at AS last_heartbeat
    FROM dvms AS d
    LEFT JOIN
    (
        SELECT dvm, ${RESPONSE_STATS_SQL}
        FROM job_responses
        GROUP BY dvm
    ) AS s ON s.dvm = d.dvm
    ORDER BY delivered DESC, name`;

const directory = table({
  title: 'DVM directory (all time)',
  description:
    'Every key that answered a job, announced a DVM (NIP-89) or sent heartbeats. Success: share of the jobs it ' +
    'answered that it delivered a result for. Response times: request to first result. Earned: payment asked, ' +
    'then result delivered.',
  height: 14,
  targets: [sqlTable(directorySql)],
  sortBy: { header: 'Delivered', desc: true },
  columns: [
    { field: 'dvm', hidden: true },
    { field: 'name', header: 'DVM', width: 160, links: [toDvm(rowField('dvm'))] },
    {
      field: 'picture',
      header: 'Picture',
      width: 80,
      links: [{ title: 'Open picture', url: CELL_VALUE, targetBlank: true }],
    },
    { field: 'kinds', header: 'Kinds', width: 150 },
    ...RESPONSE_STATS_COLUMNS,
    { field: 'last_seen', header: 'Last seen', unit: UNITS.timestamp },
    { field: 'last_heartbeat', header: 'Last heartbeat', unit: UNITS.timestamp },
  ],
});

const liveStatus = table({
  title: 'Live status',
  description:
    'From Prometheus. Up is 0 only on evidence: jobs addressed to the DVM went unanswered, or its heartbeats ' +
    'stopped. State: alive, degraded (beating, not answering), silent (idle), dead, zombie (never active).',
  width: 14,
  height: 12,
  targets: [
    promTable(withDvmName('max by (dvm) (dvm_up)'), 'A'),
    promTable(withDvmName('max by (dvm, state) (dvm_state == 1)'), 'B'),
    promTable(withDvmName('max by (dvm) (dvm_last_seen_timestamp_seconds) * 1000'), 'C'),
    promTable(withDvmName('sum by (dvm) (increase(dvm_job_results_total[$__range]))'), 'D'),
    promTable(withDvmName(quantileOverRange(0.95, 'dvm_job_duration_seconds', ['dvm'])), 'E'),
  ],
  transformations: [{ id: 'merge', options: {} }],
  sortBy: { header: 'Up', desc: false },
  columns: [
    { field: 'Time', hidden: true },
    { field: 'dvm', hidden: true },
    { field: 'Value #B', hidden: true },
    { field: 'name', header: 'DVM', links: [toDvm(rowField('dvm'))] },
    { field: 'Value #A', header: 'Up', width: 80, cell: 'color-background', ...UP_DOWN },
    { field: 'state', header: 'State', width: 90 },
    { field: 'Value #C', header: 'Last seen', unit: UNITS.sinceNow },
    { field: 'Value #D', header: 'Results in range', unit: UNITS.count, decimals: 0 },
    { field: 'Value #E', header: 'p95 duration', unit: UNITS.seconds },
  ],
});

const states = pie({
  title: 'DVMs by state',
  unit: UNITS.count,
  width: 10,
  height: 12,
  targets: [promInstant('count by (state) (dvm_state == 1)', '{{state}}')],
});

const upCards = [dvmsUpStat(12), dvmsDownStat(12)];

const trends = [
  timeSeries({
    title: 'Results per second, top 10 DVMs',
    unit: UNITS.requestRate,
    links: [toDvm(seriesLabel('dvm'))],
    targets: [
      promRange(
        withDvmName('topk(10, sum by (dvm) (rate(dvm_job_results_total[$__rate_interval])))'),
        '{{name}}',
      ),
    ],
  }),
  timeSeries({
    title: 'p95 job duration, 10 slowest DVMs',
    unit: UNITS.seconds,
    links: [toDvm(seriesLabel('dvm'))],
    targets: [
      promRange(withDvmName(`topk(10, ${quantile(0.95, 'dvm_job_duration_seconds', ['dvm'])})`), '{{name}}'),
    ],
  }),
];

export function dvms(): DashboardBuilder {
  const d = dashboard({
    uid: DASHBOARD_UIDS.dvms,
    title: 'DVMs',
    description: 'Every DVM: profile, kinds served, jobs, success, response times, sats, liveness.',
  });
  section(d, 'Now', [...upCards, liveStatus, states]);
  section(d, 'Directory', [directory]);
  section(d, 'Trends', trends);
  return d;
}
