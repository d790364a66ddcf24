import { type Column, RATIO_STEPS, UNITS } from './panels.js';

/**
 * How a set of DVM answers performed, from `job_responses` (one row per job and DVM): the same
 * aggregates and the same columns for a DVM directory row, a DVM's per-kind row and a kind's
 * per-DVM row. Times are request to first result; sats are the invoice amount when it decodes.
 */

/** Aggregates over `job_responses` rows, for a SELECT list grouped by DVM and/or kind. */
export const RESPONSE_STATS_SQL = `count() AS jobs,
    countIf(result_count > 0) AS delivered,
    delivered / jobs AS success_ratio,
    avg(result_seconds) AS avg_seconds,
    quantileExact(0.5)(result_seconds) AS p50_seconds,
    quantileExact(0.95)(result_seconds) AS p95_seconds,
    sum(coalesce(invoice_msat, requested_msat)) / 1000 AS sats_requested,
    sum(earned_msat) / 1000 AS sats_earned`;

/** The names RESPONSE_STATS_SQL defines, for selecting them through a join. */
export const RESPONSE_STATS_NAMES = [
  'jobs',
  'delivered',
  'success_ratio',
  'avg_seconds',
  'p50_seconds',
  'p95_seconds',
  'sats_requested',
  'sats_earned',
] as const;

export const RESPONSE_STATS_COLUMNS: readonly Column[] = [
  { field: 'jobs', header: 'Jobs', unit: UNITS.count },
  { field: 'delivered', header: 'Delivered', unit: UNITS.count },
  {
    field: 'success_ratio',
    header: 'Success',
    unit: UNITS.ratio,
    decimals: 0,
    cell: 'color-text',
    steps: RATIO_STEPS,
  },
  { field: 'avg_seconds', header: 'Average', unit: UNITS.seconds },
  { field: 'p50_seconds', header: 'p50', unit: UNITS.seconds },
  { field: 'p95_seconds', header: 'p95', unit: UNITS.seconds },
  { field: 'sats_requested', header: 'Sats asked', unit: UNITS.sats, decimals: 0 },
  { field: 'sats_earned', header: 'Sats earned', unit: UNITS.sats, decimals: 0 },
];

/**
 * `s.jobs AS jobs, ...`: the statistics of a subquery aliased `alias`. When it is LEFT JOINed,
 * `joinKey` names its key column, empty on rows without a match: those get NULLs, not zeros (a DVM
 * that never answered has no success ratio, rather than 0 %).
 */
export function responseStatsFrom(alias: string, joinKey?: string): string {
  const value = (n: string) =>
    joinKey === undefined ? `${alias}.${n}` : `if(${alias}.${joinKey} = '', NULL, ${alias}.${n})`;
  return RESPONSE_STATS_NAMES.map((n) => `${value(n)} AS ${n}`).join(',\n        ');
}
