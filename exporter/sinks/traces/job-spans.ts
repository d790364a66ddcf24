import type { DvmResponseSnapshot, JobSnapshot } from '../../jobs/domain-events.js';
import { responseSpanIdFor } from '../../jobs/trace-ids.js';
import type { JobFeedback } from '../../model/dvm-event.js';
import { effectiveMsat } from '../../model/dvm-event.js';
import {
  ATTR,
  boundedText,
  ERROR_TYPE,
  EVENT,
  feedbackAttributes,
  resultAttributes,
  SPAN,
} from './attributes.js';
import { type ChainView, type JobPlacement, placeJob } from './chain-view.js';
import {
  compact,
  OK_STATUS,
  type SpanEventSpec,
  type SpanRef,
  type SpanSpec,
  type SpanStatusSpec,
} from './span-spec.js';

/** How one DVM's part ended. */
export type ResponseOutcome = 'result' | 'error' | 'no_result';

export function spanName(base: string, kind: number | null): string {
  return kind === null ? base : `${base} ${kind}`;
}

/** The job span starts at the request; for a job whose request never came, at its first response. */
export function jobStartOf(job: JobSnapshot, fallback: number): number {
  if (job.createdAt !== null) return job.createdAt;
  let earliest: number | null = null;
  for (const response of job.responses.values()) {
    const at = response.firstResponseAt;
    if (at !== null && (earliest === null || at < earliest)) earliest = at;
  }
  return earliest ?? job.endedAt ?? fallback;
}

export function jobEndOf(job: JobSnapshot, start: number, fallback: number): number {
  return Math.max(start, job.endedAt ?? fallback);
}

export function responseOutcomeOf(response: DvmResponseSnapshot): ResponseOutcome {
  if (response.firstResultAt !== null) return 'result';
  return response.lastStatus === 'error' ? 'error' : 'no_result';
}

function newestError(feedback: readonly JobFeedback[]): JobFeedback | null {
  for (let i = feedback.length - 1; i >= 0; i--) if (feedback[i]!.status === 'error') return feedback[i]!;
  return null;
}

export interface PlannedJob {
  readonly placement: JobPlacement;
  readonly job: SpanSpec;
  readonly responses: readonly { readonly dvm: string; readonly span: SpanSpec }[];
}

/** The spans of a job that settled or expired: the job span and one child per responding DVM. */
export function planJob(job: JobSnapshot, chain: ChainView, at: number): PlannedJob {
  const placement = placeJob(job, chain);
  const start = jobStartOf(job, at);
  const end = jobEndOf(job, start, at);
  const responses = [...job.responses.values()]
    .filter((response) => response.firstResponseAt !== null)
    .map((response) => ({
      dvm: response.dvm,
      span: planResponse(job, placement.ref, response, { jobStart: start, jobEnd: end, late: false }),
    }));
  const span: SpanSpec = {
    name: spanName(SPAN.job, job.kind),
    traceId: placement.ref.traceId,
    spanId: placement.ref.spanId,
    parent: placement.parent,
    start,
    end,
    attributes: jobAttributes(job, placement),
    events: jobEvents(job),
    links: placement.links,
    status: jobStatus(job),
  };
  return { placement, job: span, responses };
}

export function jobAttributes(job: JobSnapshot, placement: JobPlacement): SpanSpec['attributes'] {
  const request = job.request;
  let results = 0;
  for (const response of job.responses.values()) results += response.results.length;
  return compact({
    [ATTR.jobId]: job.id,
    [ATTR.eventId]: request ? job.id : null,
    [ATTR.eventKind]: request ? request.kind : null,
    [ATTR.jobKind]: job.kind,
    [ATTR.jobCustomer]: job.customer,
    [ATTR.jobOutcome]: job.outcome,
    [ATTR.jobRequestSeen]: request !== null,
    [ATTR.jobEncrypted]: job.encrypted,
    [ATTR.jobEncryption]: request && request.encryption !== 'none' ? request.encryption : null,
    [ATTR.jobTargets]: request && request.targets.length > 0 ? [...request.targets] : null,
    [ATTR.jobBidMsat]: request ? request.bidMsat : null,
    [ATTR.jobInputCount]: request ? request.inputCount : null,
    [ATTR.jobOutput]: request ? boundedText(request.output) : null,
    [ATTR.jobTestKey]: request?.testKey ? true : null,
    [ATTR.jobDvmCount]: job.responses.size,
    [ATTR.jobResultCount]: results,
    [ATTR.chainRoot]: job.rootId,
    [ATTR.chainParent]: placement.parentId,
    [ATTR.chainInputs]: job.parentIds.length > 0 ? [...job.parentIds] : null,
    [ATTR.errorType]: jobErrorType(job),
  });
}

function jobEvents(job: JobSnapshot): SpanEventSpec[] {
  const cancellation = job.cancellation;
  if (!cancellation) return [];
  return [
    {
      name: EVENT.cancelled,
      time: cancellation.event.created_at,
      attributes: { [ATTR.eventId]: cancellation.event.id },
    },
  ];
}

function jobStatus(job: JobSnapshot): SpanStatusSpec {
  if (job.outcome === 'expired') return { error: true, message: 'no result before the job expired' };
  if (job.outcome !== 'error') return OK_STATUS;
  for (const response of job.responses.values()) {
    const text = newestError(response.feedback)?.statusText;
    if (text) return { error: true, message: boundedText(text) ?? undefined };
  }
  return { error: true, message: 'every DVM that answered reported an error' };
}

function jobErrorType(job: JobSnapshot): string | null {
  if (job.outcome === 'expired') return ERROR_TYPE.expired;
  if (job.outcome === 'error') return ERROR_TYPE.dvmError;
  return null;
}

export interface ResponseTiming {
  readonly jobStart: number;
  readonly jobEnd: number;
  /** True when the span is emitted after the job ended (a late result or error). */
  readonly late: boolean;
}

/**
 * One DVM's part: from its first feedback (or the request, when it answered with a result first) to
 * its first result, its error, or the job's end when it fell silent. Feedback and results become span
 * events at their own created_at.
 */
export function planResponse(
  job: JobSnapshot,
  jobRef: SpanRef,
  response: DvmResponseSnapshot,
  timing: ResponseTiming,
): SpanSpec {
  const outcome = responseOutcomeOf(response);
  const { firstFeedbackAt, firstResultAt } = response;
  const feedbackFirst =
    firstFeedbackAt !== null && (firstResultAt === null || firstFeedbackAt <= firstResultAt);
  const start = feedbackFirst ? firstFeedbackAt : timing.jobStart;
  const lastError = newestError(response.feedback);
  const rawEnd =
    outcome === 'result'
      ? firstResultAt!
      : outcome === 'error' && lastError
        ? lastError.event.created_at
        : timing.jobEnd;
  const events: SpanEventSpec[] = [
    ...response.feedback.map((feedback) => ({
      name: EVENT.feedback,
      time: feedback.event.created_at,
      attributes: feedbackAttributes(feedback),
    })),
    ...response.results.map((result) => ({
      name: EVENT.result,
      time: result.event.created_at,
      attributes: resultAttributes(result),
    })),
  ].sort((a, b) => a.time - b.time);
  const targets = job.request?.targets;
  const payment = response.paymentRequested;
  return {
    name: spanName(SPAN.response, job.kind),
    traceId: jobRef.traceId,
    spanId: responseSpanIdFor(job.id, response.dvm),
    parent: jobRef,
    start,
    end: Math.max(start, rawEnd),
    attributes: compact({
      [ATTR.jobId]: job.id,
      [ATTR.jobKind]: job.kind,
      [ATTR.dvm]: response.dvm,
      [ATTR.eventId]: response.results[0]?.event.id ?? null,
      [ATTR.responseOutcome]: outcome,
      [ATTR.responseLastStatus]: response.lastStatus,
      [ATTR.responseFeedbackCount]: response.feedback.length,
      [ATTR.responseResultCount]: response.results.length,
      [ATTR.responseTargeted]: targets && targets.length > 0 ? targets.includes(response.dvm) : null,
      [ATTR.responseLate]: timing.late ? true : null,
      [ATTR.paymentRequestedMsat]: effectiveMsat(payment),
      [ATTR.paymentInvoice]: payment?.bolt11 ?? null,
      [ATTR.paymentEarnedMsat]: response.earnedMsat,
      [ATTR.errorType]: outcome === 'error' ? ERROR_TYPE.dvmError : null,
    }),
    events,
    links: [],
    status:
      outcome === 'error'
        ? { error: true, message: boundedText(lastError?.statusText ?? null) ?? 'the DVM reported an error' }
        : OK_STATUS,
  };
}
