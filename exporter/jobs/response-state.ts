import type { FeedbackStatus, JobFeedback, JobResult, PaymentAmount } from '../model/dvm-event.js';
import { effectiveMsat } from '../model/dvm-event.js';
import type { NostrEvent } from '../model/nostr-event.js';
import type { DvmResponseSnapshot } from './domain-events.js';
import { JOB_LIMITS } from './options.js';

/** Event order inside a job: created_at, then id, so every arrival order gives the same order. */
export function createdBefore(a: NostrEvent, b: NostrEvent): boolean {
  return a.created_at < b.created_at || (a.created_at === b.created_at && a.id < b.id);
}

/** Inserts keeping created_at order; events mostly arrive in order, so the search starts at the end. */
function insertByCreatedAt<T extends { readonly event: NostrEvent }>(list: T[], item: T): void {
  let index = list.length;
  while (index > 0 && createdBefore(item.event, list[index - 1]!.event)) index--;
  list.splice(index, 0, item);
}

function containsId(list: readonly { readonly event: NostrEvent }[], id: string): boolean {
  for (let i = list.length - 1; i >= 0; i--) if (list[i]!.event.id === id) return true;
  return false;
}

const minOf = (current: number | null, value: number): number =>
  current === null || value < current ? value : current;

/** What happened when an event was added: ignored as a copy, kept, or counted past the cap. */
export type AddOutcome = 'duplicate' | 'stored' | 'overflow';

/** One DVM's part in one job, keyed by (request, DVM). Mutable state behind DvmResponseSnapshot. */
export class DvmResponse implements DvmResponseSnapshot {
  readonly feedback: JobFeedback[] = [];
  readonly results: JobResult[] = [];
  firstFeedbackAt: number | null = null;
  firstResultAt: number | null = null;
  firstResponseAt: number | null = null;
  lastStatus: FeedbackStatus | null = null;
  paymentRequested: PaymentAmount | null = null;
  earnedMsat: number | null = null;
  /** Results accepted, stored or past the cap: a DVM's first result is the one that arrives at 0. */
  resultsSeen = 0;
  /** Newest result created_at: a payment request is earned by any result not older than it. */
  newestResultAt: number | null = null;
  private newestFeedback: JobFeedback | null = null;
  /** Earliest payment-required feedback with a usable figure (invoice or tag). */
  private pricedRequest: JobFeedback | null = null;
  private firstPaymentRequest: JobFeedback | null = null;

  constructor(
    readonly jobId: string,
    readonly dvm: string,
  ) {}

  get empty(): boolean {
    return this.firstResponseAt === null;
  }

  addFeedback(feedback: JobFeedback): AddOutcome {
    if (containsId(this.feedback, feedback.event.id)) return 'duplicate';
    const at = feedback.event.created_at;
    this.firstFeedbackAt = minOf(this.firstFeedbackAt, at);
    this.firstResponseAt = minOf(this.firstResponseAt, at);
    if (this.newestFeedback === null || createdBefore(this.newestFeedback.event, feedback.event)) {
      this.newestFeedback = feedback;
      this.lastStatus = feedback.status;
    }
    if (feedback.status === 'payment-required' && feedback.amount) this.notePaymentRequest(feedback);
    if (this.feedback.length >= JOB_LIMITS.feedbackPerResponse) return 'overflow';
    insertByCreatedAt(this.feedback, feedback);
    return 'stored';
  }

  addResult(result: JobResult): AddOutcome {
    if (containsId(this.results, result.event.id)) return 'duplicate';
    const at = result.event.created_at;
    this.resultsSeen++;
    this.firstResultAt = minOf(this.firstResultAt, at);
    this.firstResponseAt = minOf(this.firstResponseAt, at);
    if (this.newestResultAt === null || at > this.newestResultAt) this.newestResultAt = at;
    if (this.newestFeedback === null) this.lastStatus = 'success';
    if (this.results.length >= JOB_LIMITS.resultsPerResponse) return 'overflow';
    insertByCreatedAt(this.results, result);
    return 'stored';
  }

  /**
   * The payment request this DVM has now earned, if any: it asked for payment and delivered a result
   * created no earlier than the request (DVMDash's "paid" estimate, once per job and DVM). The earliest
   * priced request is the one credited, so both arrival orders pick the same amount.
   */
  earnable(): JobFeedback | null {
    if (this.earnedMsat !== null || this.pricedRequest === null || this.newestResultAt === null) return null;
    return this.newestResultAt >= this.pricedRequest.event.created_at ? this.pricedRequest : null;
  }

  private notePaymentRequest(feedback: JobFeedback): void {
    if (this.firstPaymentRequest === null || createdBefore(feedback.event, this.firstPaymentRequest.event)) {
      this.firstPaymentRequest = feedback;
      this.paymentRequested = feedback.amount;
    }
    if (effectiveMsat(feedback.amount) === null) return;
    if (this.pricedRequest === null || createdBefore(feedback.event, this.pricedRequest.event)) {
      this.pricedRequest = feedback;
    }
  }
}
