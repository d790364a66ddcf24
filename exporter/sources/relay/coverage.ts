import { EXCLUDED_KINDS } from '../../model/exclusions.js';
import {
  JOB_KIND_NAMES,
  JOB_REQUEST_KINDS,
  JOB_RESULT_KINDS,
  KIND_DELETION,
  KIND_HANDLER_ANNOUNCEMENT,
  KIND_HANDLER_RECOMMENDATION,
  KIND_HEARTBEAT,
  KIND_JOB_FEEDBACK,
  KIND_ZAP_RECEIPT,
  RESULT_KIND_OFFSET,
} from '../../model/kinds.js';
import type { FilterSpec } from './filter.js';

/**
 * What the exporter asks every relay for, as filter specs in priority order. Relays cap kinds per filter,
 * filters per REQ and open subscriptions, so a strict relay may not take the whole list: whatever comes
 * first is what gets covered. Hence the order:
 *   1. feedback, announcements, recommendations, heartbeats, and the request and result kinds in use
 *      (the named job kinds carry nearly all real traffic);
 *   2. cancellations (kind 5) that name one of those kinds in `#k`;
 *   3. the rest of 5000-5999 and 6000-6999;
 *   4. cancellations for the rest.
 * Kinds the classifier turns away (exclusions.ts) are never asked for. Zap receipts are a separate,
 * changing subscription (see zap-targets.ts).
 */

/** Values per tag filter (`#k`, `#p`): the @nostr-relay validator default, and a safe size elsewhere. */
export const MAX_TAG_VALUES_PER_FILTER = 256;

export interface CoverageLimits {
  readonly maxKindsPerFilter: number;
  readonly maxTagValuesPerFilter: number;
}

const EXCLUDED: ReadonlySet<number> = new Set(EXCLUDED_KINDS.map((entry) => entry.kind));

function range(min: number, max: number): number[] {
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function desiredFilters(limits: CoverageLimits): FilterSpec[] {
  const allRequests = range(JOB_REQUEST_KINDS.min, JOB_REQUEST_KINDS.max).filter((k) => !EXCLUDED.has(k));
  const named = new Set([...JOB_KIND_NAMES.keys()].filter((k) => !EXCLUDED.has(k)));
  const namedRequests = allRequests.filter((k) => named.has(k));
  const otherRequests = allRequests.filter((k) => !named.has(k));
  const namedResults = namedRequests.map((k) => k + RESULT_KIND_OFFSET);
  const otherResults = range(JOB_RESULT_KINDS.min, JOB_RESULT_KINDS.max).filter(
    (k) => !EXCLUDED.has(k) && !namedResults.includes(k),
  );

  const primary = [
    KIND_JOB_FEEDBACK,
    KIND_HANDLER_ANNOUNCEMENT,
    KIND_HANDLER_RECOMMENDATION,
    KIND_HEARTBEAT,
    ...namedRequests,
    ...namedResults,
  ];
  const secondary = [...otherRequests, ...otherResults];
  const kindFilters = (kinds: readonly number[]): FilterSpec[] =>
    chunk(kinds, limits.maxKindsPerFilter).map((kinds) => ({ kinds }));
  const cancellations = (requests: readonly number[]): FilterSpec[] =>
    chunk(requests.map(String), limits.maxTagValuesPerFilter).map((k) => ({
      kinds: [KIND_DELETION],
      tags: { k },
    }));

  return [
    ...kindFilters(primary),
    ...cancellations(namedRequests),
    ...kindFilters(secondary),
    ...cancellations(otherRequests),
  ];
}

/** Zap receipts paid to the given DVMs (`#p` is the recipient), split to fit the tag-value limit. */
export function zapFilters(dvmPubkeys: readonly string[], limits: CoverageLimits): FilterSpec[] {
  return chunk(dvmPubkeys, limits.maxTagValuesPerFilter).map((p) => ({
    kinds: [KIND_ZAP_RECEIPT],
    tags: { p },
  }));
}

/** A short description of filter specs for logs and /api/relays: which kinds (and tagged kinds) they hold. */
export function describeSpecs(specs: readonly FilterSpec[]): { kinds: number; cancellationKinds: number } {
  let kinds = 0;
  let cancellationKinds = 0;
  for (const spec of specs) {
    const k = spec.tags?.k;
    if (k) cancellationKinds += k.length;
    else kinds += spec.kinds.length;
  }
  return { kinds, cancellationKinds };
}
