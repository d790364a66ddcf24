import { type FilterSpec, toWireFilter } from './filter.js';

/** How many REQs of how many filters a relay takes, and how long one message may be. */
export interface PlanLimits {
  readonly maxFiltersPerReq: number;
  /** REQs that may stay open for live traffic (the relay's subscription cap minus the working slots). */
  readonly liveSubscriptions: number;
  /** NIP-11 max_message_length when advertised. */
  readonly maxMessageBytes: number | null;
}

export interface SubscriptionPlan {
  /** One entry per live REQ: the filter specs it carries. */
  readonly reqs: readonly (readonly FilterSpec[])[];
  /** Specs that did not fit: counted and reported, never silently dropped. */
  readonly uncovered: readonly FilterSpec[];
}

// A window adds since/until/limit to each filter; ten-digit timestamps bound its length.
const WINDOW_ALLOWANCE = JSON.stringify({ since: 1e10, until: 1e10, limit: 1e6 }).length;
const REQ_ENVELOPE = '["REQ","",]'.length + 16;

/** Serialized length of one filter as it will be sent (ASCII only, so characters are bytes). */
export function filterBytes(spec: FilterSpec): number {
  return JSON.stringify(toWireFilter(spec, {})).length + WINDOW_ALLOWANCE;
}

/**
 * Packs filter specs, in priority order, into as few REQs as the limits allow. What does not fit into
 * `liveSubscriptions` REQs is returned as uncovered, so the caller can report it.
 */
export function planSubscriptions(specs: readonly FilterSpec[], limits: PlanLimits): SubscriptionPlan {
  const reqs: FilterSpec[][] = [];
  const uncovered: FilterSpec[] = [];
  let current: FilterSpec[] = [];
  let currentBytes = REQ_ENVELOPE;
  const maxBytes = limits.maxMessageBytes ?? Number.POSITIVE_INFINITY;
  const maxReqs = Math.max(1, limits.liveSubscriptions);
  const maxFilters = Math.max(1, limits.maxFiltersPerReq);

  for (const spec of specs) {
    const bytes = filterBytes(spec) + 1;
    if (REQ_ENVELOPE + bytes > maxBytes) {
      uncovered.push(spec);
      continue;
    }
    if (current.length > 0 && (current.length >= maxFilters || currentBytes + bytes > maxBytes)) {
      reqs.push(current);
      current = [];
      currentBytes = REQ_ENVELOPE;
    }
    if (reqs.length >= maxReqs) {
      uncovered.push(spec);
      continue;
    }
    current.push(spec);
    currentBytes += bytes;
  }
  if (current.length > 0 && reqs.length < maxReqs) reqs.push(current);
  return { reqs, uncovered };
}

/** Groups specs into chunks that fit one REQ each (for backfill pages and the zap subscription). */
export function chunkForReq(
  specs: readonly FilterSpec[],
  limits: Omit<PlanLimits, 'liveSubscriptions'>,
): FilterSpec[][] {
  return planSubscriptions(specs, { ...limits, liveSubscriptions: Number.MAX_SAFE_INTEGER }).reqs.map((r) => [
    ...r,
  ]);
}
