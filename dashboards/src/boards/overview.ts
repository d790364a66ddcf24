import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { CARDS, type CardId } from '../../../exporter/store/cards.js';
import { sqlTable, sqlTimeSeries } from '../lib/clickhouse.js';
import { dashboard } from '../lib/dashboard.js';
import { section } from '../lib/layout.js';
import { rowField, seriesLabel, toDvm, toKind } from '../lib/links.js';
import { markdown, stat, timeSeries, UNITS } from '../lib/panels.js';
import { promInstant, promRange, promRangeWithExemplars } from '../lib/prometheus.js';
import { quantile, RATE, rateBy, withDvmName } from '../lib/promql.js';
import {
  alertsFiringStat,
  dvmsDownStat,
  dvmsUpStat,
  feedbackByStatus,
  liveRateStat,
  requestsAndResultsHistory,
  satsPerHour,
} from '../lib/shared-panels.js';
import { dvmName, kindLabel } from '../lib/sql.js';
import { DASHBOARD_UIDS } from '../lib/uids.js';

/**
 * The home page: DVMDash v0.1's fourteen global numbers (all time, from ClickHouse), then what it
 * never had: live rates, liveness and alerts from Prometheus, and plots over time.
 */

const countStat = (title: string, description: string, rawSql: string) =>
  stat({ title, description, unit: UNITS.count, targets: [sqlTable(rawSql)] });

/** A single-value DVMDash card, with the one definition in exporter/store/cards.ts. */
const cardStat = (id: Exclude<CardId, 'mostPopularDvm' | 'mostPopularKind'>) => {
  const card = CARDS[id];
  return id === 'satsPaid'
    ? stat({
        title: card.title,
        description: card.description,
        unit: UNITS.sats,
        decimals: 0,
        targets: [sqlTable(card.sql)],
      })
    : countStat(card.title, card.description, card.sql);
};

const allTimeCards = (
  [
    'requests',
    'results',
    'requests24h',
    'results24h',
    'requestsWeek',
    'resultsWeek',
    'requestKinds',
    'resultKinds',
    'dvmPubkeys',
    'dvmProfiles',
    'uniqueUsers',
    'satsPaid',
  ] as const
).map(cardStat);

const popularCards = [
  stat({
    title: CARDS.mostPopularDvm.title,
    description: CARDS.mostPopularDvm.description,
    unit: UNITS.text,
    width: 8,
    textField: 'name',
    links: [toDvm(rowField('dvm'))],
    targets: [
      sqlTable(
        `SELECT dvm, ${dvmName('dvm', 'name')} AS name, jobs_completed AS jobs\nFROM (${CARDS.mostPopularDvm.sql.trim()})`,
      ),
    ],
  }),
  stat({
    title: CARDS.mostPopularKind.title,
    description: CARDS.mostPopularKind.description,
    unit: UNITS.text,
    width: 8,
    textField: 'label',
    links: [toKind(rowField('kind'))],
    targets: [
      sqlTable(
        `SELECT kind, ${kindLabel('kind')} AS label, customers AS users\nFROM (${CARDS.mostPopularKind.sql.trim()})`,
      ),
    ],
  }),
  stat({
    title: 'Most competitive kind',
    description: 'The request kind with the most DVMs delivering results, all time.',
    unit: UNITS.text,
    width: 8,
    textField: 'label',
    links: [toKind(rowField('kind'))],
    targets: [
      sqlTable(`
        SELECT kind, ${kindLabel('kind')} AS label, dvms
        FROM (
            SELECT kind, uniqExactIf(dvm, result_count > 0) AS dvms
            FROM job_responses
            GROUP BY kind
        )
        ORDER BY dvms DESC, kind
        LIMIT 1`),
    ],
  }),
];

/** DVMDash's payment snippet (payment-required feedback, sats asked), and how many requests got answers. */
const PAYMENT_REQUESTS = `FROM events WHERE role = 'feedback' AND status = 'payment-required'`;
const paymentCards = [
  stat({
    title: 'Payment requests',
    description: 'Payment-required feedback events, all time.',
    unit: UNITS.count,
    width: 6,
    targets: [sqlTable(`SELECT uniqExact(id) AS value ${PAYMENT_REQUESTS}`)],
  }),
  stat({
    title: 'Sats asked',
    description:
      'Total asked in payment-required feedback (invoice amount when it decodes, else the amount tag).',
    unit: UNITS.sats,
    decimals: 0,
    width: 6,
    targets: [
      sqlTable(
        `SELECT sum(msat) / 1000 AS value FROM (SELECT id, any(coalesce(invoice_msat, amount_msat)) AS msat ${PAYMENT_REQUESTS} GROUP BY id)`,
      ),
    ],
  }),
  stat({
    title: 'Average sats asked',
    unit: UNITS.sats,
    decimals: 0,
    width: 6,
    targets: [
      sqlTable(
        `SELECT avg(msat) / 1000 AS value FROM (SELECT id, any(coalesce(invoice_msat, amount_msat)) AS msat ${PAYMENT_REQUESTS} GROUP BY id)`,
      ),
    ],
  }),
  stat({
    title: 'Requests answered',
    description:
      'Share of requests with at least one result, all time (never above 100 %, unlike DVMDash v2).',
    unit: UNITS.ratio,
    width: 6,
    targets: [
      sqlTable(`
        SELECT uniqExactIf(job_id, result_count > 0 AND request_seen = 1) / (SELECT count() FROM job_requests) AS value
        FROM job_responses`),
    ],
  }),
];

const liveCards = [
  liveRateStat('Requests / s', 'dvm_job_requests_total'),
  liveRateStat('Results / s', 'dvm_job_results_total'),
  stat({
    title: 'Encrypted requests',
    description: 'Share of requests in the selected range whose inputs are encrypted (NIP-04 or NIP-44).',
    unit: UNITS.ratio,
    targets: [
      promInstant(
        'sum(increase(dvm_job_requests_total{encrypted="true"}[$__range])) / sum(increase(dvm_job_requests_total[$__range]))',
      ),
    ],
  }),
  dvmsUpStat(),
  dvmsDownStat(),
  alertsFiringStat(),
];

const overTime = [
  requestsAndResultsHistory(),
  timeSeries({
    title: 'Live requests by kind',
    unit: UNITS.requestRate,
    stacked: true,
    links: [toKind(seriesLabel('kind'))],
    targets: [promRange(rateBy('dvm_job_requests_total', ['kind']), '{{kind}}')],
  }),
  timeSeries({
    title: 'Unique users and active DVMs per day',
    description: 'Distinct requesting users, and DVMs that sent a result or feedback, per day of created_at.',
    unit: UNITS.count,
    bars: true,
    targets: [
      sqlTimeSeries(`
        SELECT toDateTime(day) AS time, uniqExactMerge(authors) AS users
        FROM events_daily
        WHERE $__dateFilter(day) AND role = 'request'
        GROUP BY time
        ORDER BY time`),
      sqlTimeSeries(
        `
        SELECT toDateTime(day) AS time, uniqExact(dvm) AS dvms
        FROM dvm_daily
        WHERE $__dateFilter(day)
        GROUP BY time
        ORDER BY time`,
        'B',
      ),
    ],
  }),
  timeSeries({
    title: 'Top 10 DVMs by results',
    unit: UNITS.requestRate,
    links: [toDvm(seriesLabel('dvm'))],
    targets: [promRange(withDvmName(`topk(10, ${rateBy('dvm_job_results_total', ['dvm'])})`), '{{name}}')],
  }),
  timeSeries({
    title: 'Job duration (request to result)',
    description: 'Quantiles over all DVMs. Exemplars link to the trace of a job.',
    unit: UNITS.seconds,
    targets: [
      promRangeWithExemplars(quantile(0.5, 'dvm_job_duration_seconds', []), 'p50'),
      promRangeWithExemplars(quantile(0.95, 'dvm_job_duration_seconds', []), 'p95', 'B'),
    ],
  }),
  timeSeries({
    title: 'Encrypted share of requests',
    unit: UNITS.ratio,
    min: 0,
    max: 1,
    targets: [
      promRange(
        `sum(rate(dvm_job_requests_total{encrypted="true"}[${RATE}])) / sum(rate(dvm_job_requests_total[${RATE}]))`,
        'encrypted',
      ),
    ],
  }),
  feedbackByStatus(),
  satsPerHour(),
];

export function overview(): DashboardBuilder {
  const d = dashboard({
    uid: DASHBOARD_UIDS.overview,
    title: 'DVM overview',
    description:
      'Every Nostr Data Vending Machine the exporter sees: all-time totals, live rates and health.',
  });
  const go = (uid: string, text: string) => `[${text}](/d/${uid})`;
  d.withPanel(
    markdown(
      'Where to go',
      `All ${go(DASHBOARD_UIDS.dvms, 'DVMs')} · all ${go(DASHBOARD_UIDS.kinds, 'kinds')} · ` +
        `${go(DASHBOARD_UIDS.recentRequests, 'recent requests')} · ${go(DASHBOARD_UIDS.jobDebug, 'debug a job')} · ` +
        `${go(DASHBOARD_UIDS.exporterHealth, 'exporter health')}. Click any DVM, kind or job to open it.`,
      24,
      2,
    ),
  );
  section(d, 'All time (ClickHouse)', [...allTimeCards, ...popularCards, ...paymentCards]);
  section(d, 'Live (Prometheus)', liveCards);
  section(d, 'Over time', overTime);
  return d;
}
