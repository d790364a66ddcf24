import type { NostrEvent } from './nostr-event.js';

/**
 * The typed, parsed view of an accepted DVM event. Produced by the pure parsers in this folder;
 * consumed by the job index and, through domain events, by every sink.
 */

export type Role =
  | 'request'
  | 'result'
  | 'feedback'
  | 'announcement'
  | 'recommendation'
  | 'cancellation'
  | 'heartbeat'
  | 'zap_receipt';

export const ROLES: readonly Role[] = [
  'request',
  'result',
  'feedback',
  'announcement',
  'recommendation',
  'cancellation',
  'heartbeat',
  'zap_receipt',
];

/** How a job event's private part is encrypted. Never decrypted, only counted. */
export type Encryption = 'none' | 'nip04' | 'nip44' | 'unknown';

/** Normalised feedback status: a bounded set so it can be a metric label. */
export const FEEDBACK_STATUSES = [
  'payment-required',
  'processing',
  'error',
  'success',
  'partial',
  'scheduled',
  'chain-scheduled',
  'payment-rejected',
  'subscription-required',
  'subscription-active',
  'subscription-success',
  'user-blocked-from-service',
  'pong',
  /** No cleartext status because the feedback is encrypted. */
  'encrypted',
  /** No status tag and not encrypted. */
  'unknown',
  /** A status value outside this list; the raw value is kept beside it. */
  'other',
] as const;
export type FeedbackStatus = (typeof FEEDBACK_STATUSES)[number];

/** An `i` tag of a job request. */
export interface JobInput {
  readonly data: string;
  /** `url`, `event`, `job`, `text`, `prompt`, ...; null when the tag has no type. */
  readonly type: string | null;
  readonly relay: string | null;
  readonly marker: string | null;
}

export interface JobParam {
  readonly name: string;
  readonly values: readonly string[];
}

/** Problems found while reading an `amount` tag; the job is kept whatever they are. */
export type AmountIssue = 'unparsable_amount' | 'bad_invoice' | 'amount_mismatch' | 'implausible_amount';

/** An `amount` tag: millisats, plus an optional bolt11 invoice. Both numbers are kept. */
export interface PaymentAmount {
  /** tag[1] as written. */
  readonly raw: string;
  /** tag[1] when it is a plain decimal integer of safe size; otherwise null. */
  readonly tagMsat: number | null;
  /** tag[2] when it starts with `ln` and decodes as bolt11. */
  readonly bolt11: string | null;
  /** The invoice's amount in millisats, when the invoice decodes and carries one. */
  readonly invoiceMsat: number | null;
  /** Absolute expiry of the invoice (timestamp + expiry, default 3600 s), when it decodes. */
  readonly invoiceExpiresAt: number | null;
  readonly issues: readonly AmountIssue[];
}

/** The best single figure for an amount: the invoice when it decodes, the tag otherwise. */
export function effectiveMsat(amount: PaymentAmount | null): number | null {
  if (!amount) return null;
  return amount.invoiceMsat ?? amount.tagMsat;
}

interface Base<R extends Role> {
  readonly role: R;
  readonly event: NostrEvent;
}

export interface JobRequest extends Base<'request'> {
  readonly kind: number;
  readonly inputs: readonly JobInput[];
  /** Ids of earlier jobs this one builds on (`i` tags of type `job`): chain links. */
  readonly jobInputs: readonly string[];
  /** DVMs the customer addressed with `p` tags (a preference, not an exclusive target). */
  readonly targets: readonly string[];
  readonly params: readonly JobParam[];
  readonly output: string | null;
  readonly bidMsat: number | null;
  readonly relays: readonly string[];
  readonly encryption: Encryption;
  /** Authored by a well-known public test key (private key 1). */
  readonly testKey: boolean;
}

/** Common to results and feedback: both point at a request through their `e` tag. */
interface JobResponseBase<R extends Role> extends Base<R> {
  /** The request id from the `e` tag (the `job`-marked one when present); null when unlinkable. */
  readonly requestId: string | null;
  /** The customer, from the `p` tag. The DVM is always the event author. */
  readonly customer: string | null;
  readonly amount: PaymentAmount | null;
  readonly encryption: Encryption;
}

export interface JobResult extends JobResponseBase<'result'> {
  /** kind - 1000. */
  readonly requestKind: number;
}

export interface JobFeedback extends JobResponseBase<'feedback'> {
  readonly status: FeedbackStatus;
  /** The status as written, when present (lets `other` be inspected). */
  readonly rawStatus: string | null;
  /** Human text: content when non-empty, otherwise status tag[2]. */
  readonly statusText: string | null;
}

/** NIP-89 profile fields a DVM announces in its 31990 content. */
export interface DvmProfile {
  readonly name: string | null;
  readonly picture: string | null;
  readonly about: string | null;
  readonly lud16: string | null;
  readonly supportsEncryption: boolean | null;
  readonly acceptsNutZaps: boolean | null;
  readonly amount: string | null;
  readonly nip90Params: unknown;
}

export interface DvmAnnouncement extends Base<'announcement'> {
  readonly d: string;
  /** Job request kinds (5000-5999) from the `k` tags. */
  readonly kinds: readonly number[];
  readonly profile: DvmProfile;
}

export interface Recommendation extends Base<'recommendation'> {
  /** The `d` tag as a kind number, when numeric. */
  readonly supportedKind: number | null;
  /** `a` tag values, `31990:<pubkey>:<d>`. */
  readonly handlers: readonly string[];
}

/** A kind 5 deletion naming events; it cancels a job only when it comes from the request's author. */
export interface Cancellation extends Base<'cancellation'> {
  readonly targetIds: readonly string[];
  /** `k` tags, when present. */
  readonly kinds: readonly number[];
}

export interface Heartbeat extends Base<'heartbeat'> {
  readonly d: string | null;
  readonly statusText: string | null;
}

/** A zap receipt (9735) whose `e` tag points at an event (a job result or feedback, hopefully). */
export interface ZapReceipt extends Base<'zap_receipt'> {
  readonly targetIds: readonly string[];
  /** Who was zapped (`p` tag). */
  readonly recipient: string | null;
  readonly bolt11: string | null;
  /** From the decoded bolt11, else from the embedded zap request's `amount` tag. */
  readonly amountMsat: number | null;
}

export type DvmEvent =
  | JobRequest
  | JobResult
  | JobFeedback
  | DvmAnnouncement
  | Recommendation
  | Cancellation
  | Heartbeat
  | ZapReceipt;
