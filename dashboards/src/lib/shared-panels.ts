import { sqlTimeSeries } from './clickhouse.js';
import { dashboardUrl } from './links.js';
import { type Step, stat, timeSeries, UNITS } from './panels.js';
import { promInstant, promRange } from './prometheus.js';
import { countOrZero, rateBy } from './promql.js';
import { DASHBOARD_UIDS } from './uids.js';

/**
 * Panels that appear on several dashboards, for everything or narrowed by a label selector
 * (`dvm="$dvm"`, `kind="$kind"`) or an SQL condition: defined once, so they read the same everywhere.
 */

/** Green at 0, red from 1: for counts of problems. */
export const PROBLEM_STEPS: Step[] = [
  { value: null, color: 'green' },
  { value: 1, color: 'red' },
];

const allDvms = [{ title: 'All DVMs', url: dashboardUrl(DASHBOARD_UIDS.dvms, {}) }];

/** Live events per second of a counter, with a sparkline. */
export function liveRateStat(title: string, metric: string, selector = '', description?: string) {
  return stat({
    title,
    description: description ?? 'Per second, live: events created within the live window.',
    unit: UNITS.requestRate,
    sparkline: true,
    targets: [promRange(rateBy(metric, [], selector))],
  });
}

export function dvmsUpStat(width = 4) {
  return stat({
    title: 'DVMs up',
    description: 'DVMs with no evidence of trouble: an idle DVM is up.',
    unit: UNITS.count,
    width,
    steps: [{ value: null, color: 'green' }],
    links: allDvms,
    targets: [promInstant(countOrZero('dvm_up == 1'))],
  });
}

export function dvmsDownStat(width = 4) {
  return stat({
    title: 'DVMs down',
    description: 'DVMs whose addressed jobs went unanswered, or whose heartbeats stopped.',
    unit: UNITS.count,
    width,
    steps: PROBLEM_STEPS,
    links: allDvms,
    targets: [promInstant(countOrZero('dvm_up == 0'))],
  });
}

/** Prometheus alerts firing now, all of them or those whose labels match `selector`. */
export function alertsFiringStat(selector = '') {
  return stat({
    title: 'Alerts firing',
    description: 'Alerts of the Prometheus rules (provisioning/prometheus/rules) firing now.',
    unit: UNITS.count,
    steps: PROBLEM_STEPS,
    links: [{ title: 'Alert rules', url: '/alerting/list' }],
    targets: [
      promInstant(countOrZero(`ALERTS{alertstate="firing"${selector === '' ? '' : `, ${selector}`}}`)),
    ],
  });
}

export function feedbackByStatus(selector = '') {
  return timeSeries({
    title: 'Feedback by status',
    description: 'Job feedback (kind 7000) per second, by normalised status.',
    unit: UNITS.requestRate,
    stacked: true,
    targets: [promRange(rateBy('dvm_job_feedback_total', ['status'], selector), '{{status}}')],
  });
}

export function satsPerHour(selector = '', width = 12) {
  return timeSeries({
    title: 'Sats per hour',
    description: 'Asked for in payment-required feedback, and earned (asked, then delivered).',
    unit: UNITS.sats,
    width,
    targets: [
      promRange(`${rateBy('dvm_payment_requested_millisats_total', [], selector)} * 3600 / 1000`, 'asked'),
      promRange(`${rateBy('dvm_payment_earned_millisats_total', [], selector)} * 3600 / 1000`, 'earned', 'B'),
    ],
  });
}

/** Requests and results per panel interval from the history (backfill included), each event once. */
export function requestsAndResultsHistory(condition = '') {
  return timeSeries({
    title: 'Requests and results (history)',
    description: 'From ClickHouse by created_at: includes backfilled history, each event once.',
    unit: UNITS.count,
    bars: true,
    targets: [
      sqlTimeSeries(`
        SELECT $__timeInterval(created_at) AS time,
               uniqExactIf(id, role = 'request') AS requests,
               uniqExactIf(id, role = 'result') AS results
        FROM events
        WHERE $__timeFilter(created_at) AND role IN ('request', 'result')${condition === '' ? '' : ` AND ${condition}`}
        GROUP BY time
        ORDER BY time`),
    ],
  });
}
