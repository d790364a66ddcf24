import type { Cancellation } from './dvm-event.js';
import { hexIdFromTag } from './hex.js';
import { isJobRequestKind } from './kinds.js';
import type { NostrEvent } from './nostr-event.js';
import { parseDecimal, uniqueValues } from './tags.js';

export type DeletionReading = { ok: true; cancellation: Cancellation } | { ok: false; detail: string };

/**
 * A kind 5 deletion read as a job cancellation. It must name at least one event (`e`); when it says which
 * kinds it deletes (`k`, NIP-09), one must be a job request kind, or it deletes something else (a note, a
 * withdrawn 31990). Whether the author may cancel the named request is the job index's check.
 */
export function readCancellation(event: NostrEvent): DeletionReading {
  const targetIds = uniqueValues(event.tags, 'e', hexIdFromTag);
  if (targetIds.length === 0) return { ok: false, detail: 'deletion without an e tag naming an event id' };
  const kindTags = event.tags.filter((tag) => tag[0] === 'k');
  const kinds = uniqueValues(event.tags, 'k', parseDecimal);
  if (kindTags.length > 0 && !kinds.some(isJobRequestKind)) {
    const named = kindTags.slice(0, 5).map((tag) => tag[1] ?? '');
    return { ok: false, detail: `deletion of kinds ${named.join(', ')}, not of job requests` };
  }
  return { ok: true, cancellation: { role: 'cancellation', event, targetIds, kinds } };
}
