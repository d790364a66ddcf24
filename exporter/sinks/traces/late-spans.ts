import type { DvmResponseSnapshot, JobSnapshot, LateEvent } from '../../jobs/domain-events.js';
import { chainLinkSpanIdFor, eventSpanIdFor, responseSpanIdFor } from '../../jobs/trace-ids.js';
import type { JobFeedback, JobRequest, JobResult, ZapReceipt } from '../../model/dvm-event.js';
import { ATTR, feedbackAttributes, resultAttributes, SPAN } from './attributes.js';
import { type ChainView, type EmittedJob, jobRefIn, jobRefOf, placeJob } from './chain-view.js';
import { jobEndOf, jobStartOf, planResponse, spanName } from './job-spans.js';
import { compact, OK_STATUS, type SpanRef, type SpanSpec } from './span-spec.js';

/** A late response or cancellation, or a request that arrives after its job was emitted from its responses. */
export type LateSubject = LateEvent['event'] | JobRequest;

/** What a late event becomes: a full response span, or a small span of its own. */
export interface PlannedLate {
  readonly span: SpanSpec;
  /** Set when the span is the DVM's response span (so later events from it hang under it). */
  readonly responseOf: string | null;
}

/**
 * A late event still produces a span in the job's trace, since the job span has already ended:
 * - a result or error from a DVM whose response span was not emitted yet gets that response span now
 *   (the marketplace race: a second DVM answering after the job settled);
 * - anything else becomes a zero-length `dvm.late_event` span at the event's created_at, under the
 *   DVM's response span when there is one, otherwise under the job span.
 */
export function planLate(job: JobSnapshot, subject: LateSubject, chain: ChainView, at: number): PlannedLate {
  const emitted = chain.emitted(job.id);
  const jobRef = emitted?.ref ?? placeJob(job, chain).ref;
  if (subject.role === 'feedback' || subject.role === 'result') {
    const dvm = subject.event.pubkey;
    const responded = emitted?.dvms.has(dvm) ?? false;
    const terminal = subject.role === 'result' || subject.status === 'error';
    if (!responded && terminal) {
      const response = job.responses.get(dvm) ?? responseFromEvent(subject);
      const jobStart = emitted?.start ?? jobStartOf(job, at);
      const timing = { jobStart, jobEnd: jobEndOf(job, jobStart, at), late: true };
      return { span: planResponse(job, jobRef, response, timing), responseOf: dvm };
    }
    const parent = responded ? { traceId: jobRef.traceId, spanId: responseSpanIdFor(job.id, dvm) } : jobRef;
    return { span: lateSpan(job, subject, parent), responseOf: null };
  }
  return { span: lateSpan(job, subject, jobRef), responseOf: null };
}

function lateSpan(job: JobSnapshot, subject: LateSubject, parent: SpanRef): SpanSpec {
  const createdAt = subject.event.created_at;
  const facts =
    subject.role === 'feedback'
      ? feedbackAttributes(subject)
      : subject.role === 'result'
        ? resultAttributes(subject)
        : { [ATTR.eventId]: subject.event.id };
  const author = subject.role === 'feedback' || subject.role === 'result' ? subject.event.pubkey : null;
  return {
    name: spanName(SPAN.late, job.kind),
    traceId: parent.traceId,
    spanId: eventSpanIdFor(subject.event.id),
    parent,
    start: createdAt,
    end: createdAt,
    attributes: compact({
      ...facts,
      [ATTR.eventKind]: subject.event.kind,
      [ATTR.jobId]: job.id,
      [ATTR.jobKind]: job.kind,
      [ATTR.jobOutcome]: job.outcome,
      [ATTR.dvm]: author,
      [ATTR.lateRole]: subject.role,
      [ATTR.lateAfterSeconds]: job.endedAt === null ? null : createdAt - job.endedAt,
    }),
    events: [],
    links: [],
    status: OK_STATUS,
  };
}

/** A response made of the late event alone, for a DVM the job snapshot does not hold (past its cap). */
function responseFromEvent(subject: JobFeedback | JobResult): DvmResponseSnapshot {
  const at = subject.event.created_at;
  const isResult = subject.role === 'result';
  return {
    dvm: subject.event.pubkey,
    feedback: isResult ? [] : [subject],
    results: isResult ? [subject] : [],
    firstFeedbackAt: isResult ? null : at,
    firstResultAt: isResult ? at : null,
    firstResponseAt: at,
    lastStatus: isResult ? 'success' : subject.status,
    paymentRequested: null,
    earnedMsat: null,
  };
}

/**
 * A chain step emitted in its own trace (its parent was unknown then) gets a stand-in in the parent's
 * trace once the link is known: a zero-length `dvm.chain.link` span under the parent, at the step's
 * start, linking to the step's real span. Later steps built on it hang under the stand-in.
 */
export function planChainLink(
  link: { readonly parentId: string; readonly childId: string; readonly rootId: string },
  child: EmittedJob,
  chain: ChainView,
): SpanSpec {
  const traceId = jobRefOf(link.parentId, chain).traceId;
  return {
    name: SPAN.chainLink,
    traceId,
    spanId: chainLinkSpanIdFor(link.parentId, link.childId),
    parent: jobRefIn(traceId, link.parentId, chain),
    start: child.start,
    end: child.start,
    attributes: {
      [ATTR.jobId]: link.childId,
      [ATTR.chainRoot]: link.rootId,
      [ATTR.chainParent]: link.parentId,
      [ATTR.chainChild]: link.childId,
    },
    events: [],
    links: [{ ref: child.ref, attributes: { [ATTR.chainChild]: link.childId } }],
    status: OK_STATUS,
  };
}

/**
 * A zap on a job's result or feedback: a zero-length `dvm.zap` span at the receipt's created_at, under
 * the zapped DVM's response span (or the job span when the DVM is not known), since zaps usually come
 * after the work they pay for.
 */
export function planZap(
  job: { readonly id: string; readonly kind: number | null },
  zap: ZapReceipt,
  dvm: string | null,
  parent: SpanRef,
): SpanSpec {
  const createdAt = zap.event.created_at;
  return {
    name: SPAN.zap,
    traceId: parent.traceId,
    spanId: eventSpanIdFor(zap.event.id),
    parent,
    start: createdAt,
    end: createdAt,
    attributes: compact({
      [ATTR.eventId]: zap.event.id,
      [ATTR.eventKind]: zap.event.kind,
      [ATTR.jobId]: job.id,
      [ATTR.jobKind]: job.kind,
      [ATTR.dvm]: dvm,
      [ATTR.zapAmountMsat]: zap.amountMsat,
      [ATTR.zapInvoice]: zap.bolt11,
      [ATTR.zapTargets]: zap.targetIds.length > 0 ? [...zap.targetIds] : null,
    }),
    events: [],
    links: [],
    status: OK_STATUS,
  };
}

/** Where a zap span hangs: the DVM's response span when that was emitted, else the job span. */
export function zapParent(
  jobId: string,
  jobRef: SpanRef,
  dvm: string | null,
  emittedDvms: ReadonlySet<string>,
): SpanRef {
  return dvm !== null && emittedDvms.has(dvm)
    ? { traceId: jobRef.traceId, spanId: responseSpanIdFor(jobId, dvm) }
    : jobRef;
}
