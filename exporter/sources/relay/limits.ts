import type { Config } from '../../config/schema.js';
import { MAX_TAG_VALUES_PER_FILTER } from './coverage.js';
import type { RelayInfo } from './nip11.js';

export type ConfiguredLimits = Config['ingest']['limits'];

/** The limits used for one relay: the configured ones, adjusted by what the relay advertises. */
export interface EffectiveLimits {
  readonly maxKindsPerFilter: number;
  readonly maxTagValuesPerFilter: number;
  readonly maxFiltersPerReq: number;
  readonly maxSubscriptions: number;
  readonly pageLimit: number;
  readonly maxMessageBytes: number | null;
  /** Where the filter and subscription figures came from. */
  readonly source: 'config' | 'nip11';
}

/**
 * NIP-11 is the relay's own word: its filter count replaces the configured guess, and its subscription
 * cap, page cap and message length only ever lower ours (the configured subscription count is also how
 * much of one relay the exporter is willing to hold). NIP-11 says nothing about kinds per filter, so that
 * stays configured.
 */
export function effectiveLimits(configured: ConfiguredLimits, info: RelayInfo | null): EffectiveLimits {
  const lim = info?.limitation;
  return {
    maxKindsPerFilter: configured.maxKindsPerFilter,
    maxTagValuesPerFilter: MAX_TAG_VALUES_PER_FILTER,
    maxFiltersPerReq: lim?.maxFilters ?? configured.maxFiltersPerReq,
    maxSubscriptions: Math.min(
      configured.maxSubscriptions,
      lim?.maxSubscriptions ?? Number.POSITIVE_INFINITY,
    ),
    pageLimit: Math.min(configured.pageLimit, lim?.maxLimit ?? Number.POSITIVE_INFINITY),
    maxMessageBytes: lim?.maxMessageLength ?? null,
    source:
      lim && (lim.maxFilters !== null || lim.maxSubscriptions !== null || lim.maxLimit !== null)
        ? 'nip11'
        : 'config',
  };
}

/**
 * Subscription slots: one is kept for backfill pages and one for zap receipts (when there are at least
 * three), the rest hold live REQs.
 */
export function subscriptionSlots(limits: EffectiveLimits): { live: number; zaps: boolean } {
  const zaps = limits.maxSubscriptions >= 3;
  return { live: Math.max(1, limits.maxSubscriptions - 1 - (zaps ? 1 : 0)), zaps };
}
