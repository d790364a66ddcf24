/**
 * PromQL fragments shared by several panels. Label values follow the metric contract: `kind` is the
 * request kind as a decimal string, `dvm` the DVM's hex pubkey; names come from joining `dvm_info`.
 */

/** Grafana's rate window: at least four scrapes, and at least the panel's step. */
export const RATE = '$__rate_interval';

/** `sum by (labels) (rate(metric{selector}[$__rate_interval]))`. */
export function rateBy(metric: string, by: readonly string[], selector = ''): string {
  const group = by.length === 0 ? '' : ` by (${by.join(', ')})`;
  return `sum${group} (rate(${metric}${braces(selector)}[${RATE}]))`;
}

/** Increase over the dashboard's time range, for totals "in the selected range". */
export function increaseBy(metric: string, by: readonly string[], selector = ''): string {
  const group = by.length === 0 ? '' : ` by (${by.join(', ')})`;
  return `sum${group} (increase(${metric}${braces(selector)}[$__range]))`;
}

function braces(selector: string): string {
  return selector === '' ? '' : `{${selector}}`;
}

/**
 * Adds a `name` label from the DVM's NIP-89 announcement; DVMs without one keep their series and
 * get the first 8 hex characters of their pubkey as name. `topk by (dvm) (1, ...)` keeps the join
 * one-to-one even while a renamed DVM's old `dvm_info` series lingers.
 */
export function withDvmName(expr: string): string {
  return (
    `(${expr}) * on (dvm) group_left (name) topk by (dvm) (1, dvm_info)` +
    ` or on (dvm) label_replace(${expr}, "name", "$1", "dvm", "(.{8}).*")`
  );
}

/** Quantile of a duration histogram, aggregated over the given labels. */
export function quantile(q: number, histogram: string, by: readonly string[], selector = ''): string {
  const labels = ['le', ...by].join(', ');
  return `histogram_quantile(${q}, sum by (${labels}) (rate(${histogram}_bucket${braces(selector)}[${RATE}])))`;
}

/** Same over the whole selected range (one number per series, for tables and stats). */
export function quantileOverRange(
  q: number,
  histogram: string,
  by: readonly string[],
  selector = '',
): string {
  const labels = ['le', ...by].join(', ');
  return `histogram_quantile(${q}, sum by (${labels}) (increase(${histogram}_bucket${braces(selector)}[$__range])))`;
}

/** A count that is 0 instead of "no data" when nothing matches (alerts firing, DVMs down). */
export function countOrZero(expr: string): string {
  return `count(${expr}) or vector(0)`;
}

/** Millisats counters shown as sats. */
export function sats(expr: string): string {
  return `(${expr}) / 1000`;
}
