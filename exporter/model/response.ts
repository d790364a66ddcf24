import type { FeedbackStatus, JobFeedback, JobResult } from './dvm-event.js';
import { detectEncryption } from './encryption.js';
import { normaliseStatus } from './feedback-status.js';
import { hexIdFromTag } from './hex.js';
import { RESULT_KIND_OFFSET } from './kinds.js';
import type { NostrEvent } from './nostr-event.js';
import { parseAmountTag } from './payment.js';
import { firstMapped, firstTag, nonEmpty, type Tags } from './tags.js';

/**
 * The request a result or feedback answers: its `e` tag, preferring one marked `job` in 4th place (NDK).
 * Never the `request` tag, whose embedded copy is re-serialized, decrypted or not even JSON in real traffic.
 * Null when no `e` tag holds an event id: the response cannot be linked.
 */
export function linkedRequestId(tags: Tags): string | null {
  let first: string | null = null;
  for (const tag of tags) {
    if (tag[0] !== 'e') continue;
    const id = hexIdFromTag(tag[1]);
    if (id === null) continue;
    if (tag[3] === 'job') return id;
    first ??= id;
  }
  return first;
}

function responseBase(event: NostrEvent) {
  const { tags } = event;
  const amountTag = firstTag(tags, 'amount');
  return {
    event,
    requestId: linkedRequestId(tags),
    // On a response `p` is the customer; the DVM is the author.
    customer: firstMapped(tags, 'p', hexIdFromTag),
    amount: amountTag ? parseAmountTag(amountTag) : null,
    encryption: detectEncryption(tags, event.content),
  };
}

export function parseResult(event: NostrEvent): JobResult {
  return { role: 'result', ...responseBase(event), requestKind: event.kind - RESULT_KIND_OFFSET };
}

/**
 * Feedback (7000). The status comes from the `status` tag, normalised; with no status, encrypted feedback
 * (nostrdvm keeps only `e`, `p`, `encrypted` in clear) is `encrypted` and anything else `unknown`.
 * The human text is the content when there is one (Amethyst's rule), else the tag's 3rd element; the
 * content of encrypted feedback is ciphertext, never text.
 */
export function parseFeedback(event: NostrEvent): JobFeedback {
  const base = responseBase(event);
  const statusTag = firstTag(event.tags, 'status');
  const rawStatus = statusTag?.[1] ?? null;
  const encrypted = base.encryption !== 'none';
  const status: FeedbackStatus =
    normaliseStatus(rawStatus ?? undefined) ?? (encrypted ? 'encrypted' : 'unknown');
  const content = encrypted ? null : nonEmpty(event.content);
  return {
    role: 'feedback',
    ...base,
    status,
    rawStatus,
    statusText: content ?? nonEmpty(statusTag?.[2]),
  };
}
