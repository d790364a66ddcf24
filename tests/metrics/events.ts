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
} from '../../exporter/model/dvm-event.js';
import type { NostrEvent } from '../../exporter/model/nostr-event.js';

/*
 * Typed DvmEvent values as the parsers produce them, for driving the job index and the metrics sink
 * without signing. Ids and pubkeys are sha256 of readable labels.
 */

export const T0 = 1_767_225_600;

export function hex(label: string): string {
  return createHash('sha256').update(label).digest('hex');
}

export function key(name: string): string {
  return hex(`key:${name}`);
}

let sequence = 0;
function freshId(): string {
  return hex(`event:${sequence++}`);
}

function nostr(kind: number, pubkey: string, createdAt: number, id = freshId()): NostrEvent {
  return { id, pubkey, created_at: createdAt, kind, tags: [], content: '', sig: '0'.repeat(128) };
}

export function request(spec: {
  id?: string;
  kind?: number;
  at: number;
  targets?: string[];
  encryption?: Encryption;
  jobInputs?: string[];
}): JobRequest {
  const kind = spec.kind ?? 5300;
  const jobInputs = spec.jobInputs ?? [];
  return {
    role: 'request',
    event: nostr(kind, key('customer'), spec.at, spec.id),
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
  dvm: string;
  requestId: string | null;
  at: number;
  amount?: PaymentAmount | null;
  encryption?: Encryption;
}

export function feedback(spec: ResponseSpec & { status: FeedbackStatus }): JobFeedback {
  return {
    role: 'feedback',
    event: nostr(7000, spec.dvm, spec.at),
    requestId: spec.requestId,
    customer: key('customer'),
    amount: spec.amount ?? null,
    encryption: spec.encryption ?? 'none',
    status: spec.status,
    rawStatus: spec.status,
    statusText: null,
  };
}

export function result(spec: ResponseSpec & { requestKind?: number }): JobResult {
  const requestKind = spec.requestKind ?? 5300;
  return {
    role: 'result',
    event: nostr(requestKind + 1000, spec.dvm, spec.at),
    requestId: spec.requestId,
    customer: key('customer'),
    amount: spec.amount ?? null,
    encryption: spec.encryption ?? 'none',
    requestKind,
  };
}

/** An `amount` tag with a tag figure and, optionally, a decoded invoice figure. */
export function amount(tagMsat: number | null, invoiceMsat: number | null = null): PaymentAmount {
  return {
    raw: String(tagMsat),
    tagMsat,
    bolt11: invoiceMsat === null ? null : 'lnbc1simulated',
    invoiceMsat,
    invoiceExpiresAt: null,
    issues: [],
  };
}

export function announcement(dvm: string, name: string | null, at: number, d = 'main'): DvmAnnouncement {
  return {
    role: 'announcement',
    event: nostr(31990, dvm, at),
    d,
    kinds: [5300],
    profile: {
      name,
      picture: null,
      about: null,
      lud16: null,
      supportsEncryption: null,
      acceptsNutZaps: null,
      amount: null,
      nip90Params: null,
    },
  };
}

export function heartbeat(dvm: string, at: number): Heartbeat {
  return { role: 'heartbeat', event: nostr(11998, dvm, at), d: 'main', statusText: 'online' };
}

/** A kind 5 from the customer who sent the requests. */
export function cancellation(targetIds: string[], at: number): Cancellation {
  return { role: 'cancellation', event: nostr(5, key('customer'), at), targetIds, kinds: [] };
}
