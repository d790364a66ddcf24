import { readCancellation } from './deletion.js';
import type { DvmEvent, Heartbeat } from './dvm-event.js';
import { exclusionFor, JOB_LIKE_TAGS, RESULT_JOB_LIKE_TAGS } from './exclusions.js';
import {
  isJobRequestKind,
  isJobResultKind,
  JOB_KIND_NAMES,
  KIND_DELETION,
  KIND_HANDLER_ANNOUNCEMENT,
  KIND_HANDLER_RECOMMENDATION,
  KIND_HEARTBEAT,
  KIND_JOB_FEEDBACK,
  KIND_ZAP_RECEIPT,
} from './kinds.js';
import { parseAnnouncement, parseRecommendation } from './nip89.js';
import type { NostrEvent } from './nostr-event.js';
import { parseRequest } from './request.js';
import { parseFeedback, parseResult } from './response.js';
import { firstTag, firstValue, nonEmpty, parseDecimal, uniqueValues } from './tags.js';
import { readZapReceipt } from './zap-receipt.js';

export type ClassifyResult =
  | { ok: true; event: DvmEvent }
  | { ok: false; reason: 'not_dvm' | 'excluded_kind' | 'not_job_like'; detail: string };

/**
 * Gives a verified event its DVM role and typed reading, or says why it is not a DVM event.
 * Pure and total: every NostrEvent gets an answer, no input throws.
 */
export function classify(event: NostrEvent): ClassifyResult {
  const { kind } = event;
  if (isJobRequestKind(kind)) return classifyRequest(event);
  if (isJobResultKind(kind)) {
    const excluded = exclusionFor(kind);
    if (excluded) return { ok: false, reason: 'excluded_kind', detail: `kind ${kind}: ${excluded.reason}` };
    if (!JOB_KIND_NAMES.has(kind - 1000) && !hasAnyTag(event, RESULT_JOB_LIKE_TAGS))
      return notJobLike(kind, RESULT_JOB_LIKE_TAGS);
    return accept(parseResult(event));
  }
  switch (kind) {
    case KIND_JOB_FEEDBACK:
      return accept(parseFeedback(event));
    case KIND_DELETION: {
      const reading = readCancellation(event);
      return reading.ok ? accept(reading.cancellation) : notDvm(reading.detail);
    }
    case KIND_HANDLER_ANNOUNCEMENT: {
      const jobKinds = uniqueValues(event.tags, 'k', parseDecimal).filter(isJobRequestKind);
      if (jobKinds.length === 0)
        return notDvm('kind 31990 without a k tag in 5000-5999: an app handler, not a DVM');
      return accept(parseAnnouncement(event, jobKinds));
    }
    case KIND_HANDLER_RECOMMENDATION:
      return accept(parseRecommendation(event));
    case KIND_HEARTBEAT:
      return accept(parseHeartbeat(event));
    case KIND_ZAP_RECEIPT: {
      const reading = readZapReceipt(event);
      return reading.ok ? accept(reading.zap) : notDvm(reading.detail);
    }
    default:
      return notDvm(`kind ${kind} is not a DVM kind`);
  }
}

/**
 * The classifier rule for 5000-5999 (and, with its own tags, for 6000-6999): not on the deny-list, and
 * either a known job kind or carrying at least one job-like tag (junk borrows job kinds but not job tags).
 */
function classifyRequest(event: NostrEvent): ClassifyResult {
  const { kind } = event;
  const excluded = exclusionFor(kind);
  if (excluded) return { ok: false, reason: 'excluded_kind', detail: `kind ${kind}: ${excluded.reason}` };
  if (!JOB_KIND_NAMES.has(kind) && !hasAnyTag(event, JOB_LIKE_TAGS)) return notJobLike(kind, JOB_LIKE_TAGS);
  return accept(parseRequest(event));
}

function hasAnyTag(event: NostrEvent, names: ReadonlySet<string>): boolean {
  return event.tags.some((tag) => names.has(tag[0] ?? ''));
}

function notJobLike(kind: number, tags: ReadonlySet<string>): ClassifyResult {
  return {
    ok: false,
    reason: 'not_job_like',
    detail: `kind ${kind} is not a known job kind and has none of the tags ${[...tags].join(', ')}`,
  };
}

/** 11998: `["d", <the DVM's NIP-89 d>]`, `["status", <free text>]`, free-text content. */
function parseHeartbeat(event: NostrEvent): Heartbeat {
  return {
    role: 'heartbeat',
    event,
    d: firstTag(event.tags, 'd')?.[1] ?? null,
    statusText: firstValue(event.tags, 'status') ?? nonEmpty(event.content),
  };
}

function accept(event: DvmEvent): ClassifyResult {
  return { ok: true, event };
}

function notDvm(detail: string): ClassifyResult {
  return { ok: false, reason: 'not_dvm', detail };
}
