import { FEEDBACK_STATUSES, ROLES } from '../../exporter/model/dvm-event.js';
import { JOB_KIND_NAMES } from '../../exporter/model/kinds.js';
import { REJECT_REASONS } from '../../exporter/model/reasons.js';
import { DVM_STATES } from '../../exporter/sinks/metrics/liveness.js';
import { DURATION_BUCKETS, METRIC } from '../../exporter/sinks/metrics/names.js';

/**
 * The most series the metrics sink can expose, by metric: every bounded label at every value it can
 * take. `kind` takes the known kinds and `other` (plus `unknown` where a job's kind may be unknown),
 * `dvm` the allowlist, the cap and `__other__` (plus `__unknown__` for addressed requests). Real traffic
 * stays far below: a DVM serves a few kinds and uses a few statuses. docs/metrics.md quotes these figures.
 */
export function worstCaseSeries(options: {
  dvmLabelCap: number;
  allowlistSize: number;
}): Record<string, number> {
  const kinds = JOB_KIND_NAMES.size + 1;
  const kindsOrUnknown = kinds + 1;
  const labelled = options.dvmLabelCap + options.allowlistSize;
  const dvms = labelled + 1;
  const addressed = dvms + 1;
  const histogramSeries = DURATION_BUCKETS.length + 3; // buckets, +Inf, _sum, _count
  const outcomes = 4;
  return {
    [METRIC.requests]: kinds * 2,
    [METRIC.requestsTargeted]: kinds * addressed,
    [METRIC.requestsUnanswered]: kinds * addressed,
    [METRIC.results]: kinds * dvms * 2,
    [METRIC.feedback]: kindsOrUnknown * dvms * FEEDBACK_STATUSES.length,
    [METRIC.duration]: kinds * dvms * histogramSeries,
    [METRIC.firstResponse]: kinds * dvms * histogramSeries,
    [METRIC.jobsEnded]: kindsOrUnknown * outcomes,
    [METRIC.paymentRequested]: kindsOrUnknown * dvms,
    [METRIC.paymentEarned]: kindsOrUnknown * dvms,
    [METRIC.paymentUnfulfilled]: kindsOrUnknown * dvms,
    [METRIC.jobsInFlight]: kinds,
    [METRIC.oldestInFlight]: kinds,
    [METRIC.info]: labelled,
    [METRIC.up]: labelled,
    [METRIC.state]: labelled * DVM_STATES.length,
    [METRIC.lastSeen]: labelled,
    [METRIC.lastResult]: labelled,
    [METRIC.lastHeartbeat]: labelled,
    [METRIC.jobsInProgress]: dvms,
    [METRIC.oldestInProgress]: dvms,
    [METRIC.backfill]: ROLES.length,
    [METRIC.accepted]: ROLES.length,
    [METRIC.late]: 3,
    [METRIC.rejected]: REJECT_REASONS.length,
    // One value per metric that can fold a DVM into __other__.
    [METRIC.labelOverflow]: 11,
  };
}

/** The sum over metrics, plus the handful of unlabelled and small self-metrics. */
export function worstCaseTotal(options: { dvmLabelCap: number; allowlistSize: number }): number {
  const SMALL_SELF_METRICS = 40;
  return Object.values(worstCaseSeries(options)).reduce((a, b) => a + b, 0) + SMALL_SELF_METRICS;
}
