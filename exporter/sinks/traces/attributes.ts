import type { Attributes } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import type { Encryption, JobFeedback, JobResult, PaymentAmount } from '../../model/dvm-event.js';
import { effectiveMsat } from '../../model/dvm-event.js';
import { compact } from './span-spec.js';

/**
 * The span, event and attribute names of job traces: one documented `dvm.*` namespace (see
 * docs/tracing.md), plus `nostr.event.*` for facts about a single Nostr event and the semantic
 * convention `error.type`.
 */

export const SPAN = {
  job: 'dvm.job',
  response: 'dvm.response',
  late: 'dvm.late_event',
  chainLink: 'dvm.chain.link',
  zap: 'dvm.zap',
} as const;

export const EVENT = {
  feedback: 'dvm.feedback',
  result: 'dvm.result',
  cancelled: 'dvm.job.cancelled',
} as const;

export const ATTR = {
  eventId: 'nostr.event.id',
  eventKind: 'nostr.event.kind',

  jobId: 'dvm.job.id',
  jobKind: 'dvm.job.kind',
  jobCustomer: 'dvm.job.customer',
  jobOutcome: 'dvm.job.outcome',
  jobRequestSeen: 'dvm.job.request_seen',
  jobEncrypted: 'dvm.job.encrypted',
  jobEncryption: 'dvm.job.encryption',
  jobTargets: 'dvm.job.targets',
  jobBidMsat: 'dvm.job.bid_msat',
  jobInputCount: 'dvm.job.input_count',
  jobOutput: 'dvm.job.output',
  jobTestKey: 'dvm.job.test_key',
  jobDvmCount: 'dvm.job.dvm_count',
  jobResultCount: 'dvm.job.result_count',

  chainRoot: 'dvm.chain.root',
  chainParent: 'dvm.chain.parent',
  chainInputs: 'dvm.chain.inputs',
  chainChild: 'dvm.chain.child',
  linkInput: 'dvm.chain.input',

  dvm: 'dvm.pubkey',
  responseOutcome: 'dvm.response.outcome',
  responseLastStatus: 'dvm.response.last_status',
  responseFeedbackCount: 'dvm.response.feedback_count',
  responseResultCount: 'dvm.response.result_count',
  responseTargeted: 'dvm.response.targeted',
  responseLate: 'dvm.response.late',

  feedbackStatus: 'dvm.feedback.status',
  feedbackStatusRaw: 'dvm.feedback.status_raw',
  feedbackText: 'dvm.feedback.text',
  encryption: 'dvm.encryption',

  paymentAmountMsat: 'dvm.payment.amount_msat',
  paymentAmountTag: 'dvm.payment.amount_tag',
  paymentInvoice: 'dvm.payment.invoice',
  paymentInvoiceMsat: 'dvm.payment.invoice_msat',
  paymentIssues: 'dvm.payment.issues',
  paymentRequestedMsat: 'dvm.payment.requested_msat',
  paymentEarnedMsat: 'dvm.payment.earned_msat',

  zapAmountMsat: 'dvm.zap.amount_msat',
  zapInvoice: 'dvm.zap.invoice',
  zapTargets: 'dvm.zap.targets',

  lateRole: 'dvm.late.role',
  lateAfterSeconds: 'dvm.late.after_seconds',

  errorType: ATTR_ERROR_TYPE,
} as const;

/** `error.type` values. */
export const ERROR_TYPE = {
  /** A DVM answered with `error` feedback and nobody delivered a result. */
  dvmError: 'dvm_error',
  /** No result within the expiry timeout. */
  expired: 'expired',
} as const;

/** Free text from the network is bounded before it becomes an attribute. */
export const MAX_TEXT_LENGTH = 256;

export function boundedText(text: string | null): string | null {
  if (text === null || text.length === 0) return null;
  return text.length > MAX_TEXT_LENGTH ? `${text.slice(0, MAX_TEXT_LENGTH - 1)}…` : text;
}

export function encryptionAttributes(encryption: Encryption): Attributes {
  return encryption === 'none' ? {} : { [ATTR.encryption]: encryption };
}

export function paymentAttributes(amount: PaymentAmount | null): Attributes {
  if (!amount) return {};
  return compact({
    [ATTR.paymentAmountMsat]: effectiveMsat(amount),
    [ATTR.paymentAmountTag]: boundedText(amount.raw),
    [ATTR.paymentInvoice]: amount.bolt11,
    [ATTR.paymentInvoiceMsat]: amount.invoiceMsat,
    [ATTR.paymentIssues]: amount.issues.length > 0 ? [...amount.issues] : null,
  });
}

/** A feedback event's facts, as carried by a span event (or a late span). */
export function feedbackAttributes(feedback: JobFeedback): Attributes {
  return {
    [ATTR.eventId]: feedback.event.id,
    ...compact({
      [ATTR.feedbackStatus]: feedback.status,
      [ATTR.feedbackStatusRaw]: feedback.status === 'other' ? boundedText(feedback.rawStatus) : null,
      [ATTR.feedbackText]: boundedText(feedback.statusText),
    }),
    ...paymentAttributes(feedback.amount),
    ...encryptionAttributes(feedback.encryption),
  };
}

/** A result event's facts. Result content is never copied: it can be large and private. */
export function resultAttributes(result: JobResult): Attributes {
  return {
    [ATTR.eventId]: result.event.id,
    [ATTR.eventKind]: result.event.kind,
    ...paymentAttributes(result.amount),
    ...encryptionAttributes(result.encryption),
  };
}
