import { createHash } from 'node:crypto';
import type {
  Cancellation,
  DvmAnnouncement,
  Encryption,
  FeedbackStatus,
  Heartbeat,
  JobFeedback,
  JobRequest,
  JobResult,
  PaymentAmount,
  Recommendation,
  ZapReceipt,
} from '../../exporter/model/dvm-event.js';
import {
  KIND_DELETION,
  KIND_HANDLER_ANNOUNCEMENT,
  KIND_HANDLER_RECOMMENDATION,
  KIND_HEARTBEAT,
  KIND_JOB_FEEDBACK,
  KIND_ZAP_RECEIPT,
  RESULT_KIND_OFFSET,
} from '../../exporter/model/kinds.js';
import { parseAnnouncement, parseRecommendation } from '../../exporter/model/nip89.js';
import type { NostrEvent } from '../../exporter/model/nostr-event.js';

/*
 * Typed DvmEvent values as the parsers produce them, so the job index and the sinks can be driven
 * without signing. Ids and keys are sha256 of a readable label: `hex('req-1')`, `key('dvm-a')`.
 * Every builder defaults to kind 5000, time T0, author `key('customer')` and DVM `key('dvm-a')`.
 */

export const T0 = 1_700_000_000;
const DEFAULT_REQUEST_KIND = 5000;

export function hex(label: string): string {
  return createHash('sha256').update(label).digest('hex');
}
const keys = new Map<string, string>();
export function key(name: string): string {
  let pubkey = keys.get(name);
  if (pubkey === undefined) {
    pubkey = hex(`key:${name}`);
    keys.set(name, pubkey);
  }
  return pubkey;
}

let sequence = 0;
/** A unique event id; counter-based because hashing dominates tests that build 1e5 events. */
const freshId = (): string => `e${(sequence++).toString(16).padStart(63, '0')}`;

function nostr(
  kind: number,
  pubkey: string,
  createdAt: number,
  id = freshId(),
  fields: Pick<NostrEvent, 'tags' | 'content'> = { tags: [], content: '' },
): NostrEvent {
  return { id, pubkey, created_at: createdAt, kind, ...fields, sig: '0'.repeat(128) };
}

export interface RequestSpec {
  id?: string;
  author?: string;
  kind?: number;
  at?: number;
  jobInputs?: string[];
  /** DVMs addressed with `p` tags. */
  targets?: string[];
  encryption?: Encryption;
}
export function request(spec: RequestSpec = {}): JobRequest {
  const kind = spec.kind ?? DEFAULT_REQUEST_KIND;
  const jobInputs = spec.jobInputs ?? [];
  return {
    role: 'request',
    event: nostr(kind, spec.author ?? key('customer'), spec.at ?? T0, spec.id),
    kind,
    inputs: jobInputs.map((data) => ({ data, type: 'job', relay: null, marker: null })),
    jobInputs,
    targets: spec.targets ?? [],
    params: [],
    output: null,
    bidMsat: null,
    relays: [],
    encryption: spec.encryption ?? 'none',
    testKey: false,
  };
}

interface ResponseSpec {
  id?: string;
  dvm?: string;
  /** The request id from the `e` tag; null for an unlinkable response. */
  requestId: string | null;
  at?: number;
  customer?: string | null;
  amount?: PaymentAmount | null;
  encryption?: Encryption;
}

export function feedback(spec: ResponseSpec & { status: FeedbackStatus }): JobFeedback {
  return {
    role: 'feedback',
    event: nostr(KIND_JOB_FEEDBACK, spec.dvm ?? key('dvm-a'), spec.at ?? T0, spec.id),
    requestId: spec.requestId,
    customer: spec.customer ?? key('customer'),
    amount: spec.amount ?? null,
    encryption: spec.encryption ?? 'none',
    status: spec.status,
    rawStatus: spec.status,
    statusText: null,
  };
}

export function result(spec: ResponseSpec & { requestKind?: number }): JobResult {
  const requestKind = spec.requestKind ?? DEFAULT_REQUEST_KIND;
  return {
    role: 'result',
    event: nostr(requestKind + RESULT_KIND_OFFSET, spec.dvm ?? key('dvm-a'), spec.at ?? T0, spec.id),
    requestId: spec.requestId,
    customer: spec.customer ?? key('customer'),
    amount: spec.amount ?? null,
    encryption: spec.encryption ?? 'none',
    requestKind,
  };
}

/**
 * An `amount` tag: the tag figure and/or a decoded invoice figure (null when absent or unusable).
 * Built directly rather than parsed because the invoice is a stand-in, not a decodable bolt11.
 */
export function amount(tagMsat: number | null, invoiceMsat: number | null = null): PaymentAmount {
  return {
    raw: tagMsat === null ? 'garbage' : String(tagMsat),
    tagMsat,
    bolt11: invoiceMsat === null ? null : 'lnbc1fake',
    invoiceMsat,
    invoiceExpiresAt: invoiceMsat === null ? null : T0 + 3600,
    issues: tagMsat === null ? ['unparsable_amount'] : [],
  };
}

/** A kind 5, by default from the customer who sent the requests. */
export function cancellation(spec: {
  targetIds: string[];
  author?: string;
  at?: number;
  id?: string;
}): Cancellation {
  return {
    role: 'cancellation',
    event: nostr(KIND_DELETION, spec.author ?? key('customer'), spec.at ?? T0, spec.id),
    targetIds: spec.targetIds,
    kinds: [],
  };
}

export function zap(targetIds: string[], at = T0): ZapReceipt {
  return {
    role: 'zap_receipt',
    event: nostr(KIND_ZAP_RECEIPT, key('zapper'), at),
    targetIds,
    recipient: key('dvm-a'),
    bolt11: null,
    amountMsat: 21_000,
  };
}

/** A 31990 read by the exporter's own NIP-89 parser; a null name leaves it out of the profile. */
export function announcement(
  dvm = key('dvm-a'),
  name: string | null = 'A',
  at = T0,
  d = 'a',
  kinds: readonly number[] = [DEFAULT_REQUEST_KIND],
): DvmAnnouncement {
  const event = nostr(KIND_HANDLER_ANNOUNCEMENT, dvm, at, freshId(), {
    tags: [['d', d], ...kinds.map((kind) => ['k', String(kind)])],
    content: JSON.stringify(name === null ? {} : { name }),
  });
  return parseAnnouncement(event, kinds);
}

/** A 31989 recommending no handler yet, read by the exporter's NIP-89 parser. */
export function recommendation(supportedKind = DEFAULT_REQUEST_KIND): Recommendation {
  return parseRecommendation(
    nostr(KIND_HANDLER_RECOMMENDATION, key('customer'), T0, freshId(), {
      tags: [['d', String(supportedKind)]],
      content: '',
    }),
  );
}

export function heartbeat(dvm = key('dvm-a'), at = T0): Heartbeat {
  return { role: 'heartbeat', event: nostr(KIND_HEARTBEAT, dvm, at), d: 'a', statusText: 'ok' };
}
