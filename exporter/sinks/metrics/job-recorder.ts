import {
  type DomainEvent,
  type DvmResponseSnapshot,
  type JobOutcome,
  type JobSnapshot,
  type LateEvent,
  unhandledEvent,
} from '../../jobs/domain-events.js';
import {
  type DvmAnnouncement,
  type DvmEvent,
  effectiveMsat,
  type Heartbeat,
  type JobFeedback,
  type JobRequest,
  type JobResult,
} from '../../model/dvm-event.js';
import { UNKNOWN_DVM } from './dvm-labels.js';
import type { DvmSeries } from './dvm-series.js';
import type { Instruments } from './instruments.js';
import { jobKindLabel, kindLabel, requestKindLabel, UNKNOWN_KIND } from './kind-label.js';
import { isWorkingStatus, type JobsInProgress, type PendingAnswer, type PendingAnswers } from './liveness.js';
import type { MetricsTime } from './metrics-time.js';
import { METRIC } from './names.js';

export interface RecorderOptions {
  readonly answerTimeoutSeconds: number;
}

/** A request can name any number of `p` tags; only this many are tracked per request. */
export const MAX_TARGETS_PER_REQUEST = 16;

function isPaymentRequest(feedback: JobFeedback): boolean {
  return feedback.status === 'payment-required' && (effectiveMsat(feedback.amount) ?? 0) > 0;
}

/**
 * Turns domain events into the job, payment and liveness series. Counters and histograms only take
 * live events (see MetricsTime); evidence about DVMs (last seen, heartbeats, names) takes every event.
 */
export class JobRecorder {
  constructor(
    private readonly m: Instruments,
    private readonly series: DvmSeries,
    private readonly time: MetricsTime,
    private readonly pending: PendingAnswers,
    private readonly working: JobsInProgress,
    private readonly options: RecorderOptions,
  ) {}

  handle(event: DomainEvent): void {
    switch (event.type) {
      case 'event_accepted':
        this.onAccepted(event.event);
        break;
      case 'job_requested':
        this.onRequested(event.job, event.request);
        break;
      case 'job_feedback':
        this.onFeedback(event.job, event.response, event.feedback, event.firstResponse, true);
        break;
      case 'job_result':
        this.onResult(event.job, event.response, event.result, event.firstResult, event.firstResponse, true);
        break;
      case 'late_event':
        this.onLate(event.job, event.event);
        break;
      case 'payment_earned':
        this.onEarned(event.job, event.dvm, event.msat);
        break;
      case 'job_settled':
        this.onEnded(event.job, event.outcome);
        break;
      case 'job_expired':
        this.onEnded(event.job, 'expired');
        break;
      case 'job_evicted':
        this.onEvicted(event.jobId);
        break;
      case 'dvm_announced':
        this.onAnnounced(event.announcement);
        break;
      case 'heartbeat':
        this.onHeartbeat(event.heartbeat);
        break;
      case 'orphan':
        this.onOrphan(event.event, event.reason);
        break;
      case 'kind_mismatch':
        this.m.kindMismatch.inc();
        break;
      // No job metric reads these: a cancellation counts when its job settles (`job_settled`).
      case 'event_sighted':
      case 'job_cancelled':
      case 'cancellation_rejected':
      case 'chain_linked':
      case 'dvm_recommended':
      case 'zap':
        break;
      default:
        unhandledEvent(event);
    }
  }

  /** Time-driven work: addressed requests past their answer timeout, and idle DVMs. */
  sweep(): void {
    const now = this.time.now();
    for (const entry of this.pending.takeDue(now)) this.unanswered(entry);
    if (this.time.expiresIdle) this.m.idleDvmsRemoved.inc(this.series.forgetIdle(now));
  }

  private onAccepted(event: DvmEvent): void {
    const createdAt = event.event.created_at;
    if (!this.time.isLive(createdAt)) this.m.backfill.inc({ role: event.role });
    if (
      (event.role === 'feedback' || event.role === 'result') &&
      event.amount?.issues.includes('implausible_amount')
    )
      this.m.implausibleAmounts.inc();
  }

  private onRequested(job: JobSnapshot, request: JobRequest): void {
    const at = request.event.created_at;
    const kind = kindLabel(request.kind);
    if (this.time.isLive(at)) {
      this.m.requests.inc({ kind, encrypted: String(request.encryption !== 'none') });
      for (const target of request.targets.slice(0, MAX_TARGETS_PER_REQUEST))
        this.addressed(job, target, kind, at);
    }
    // Responses that arrived before their request: their latencies become known only now.
    for (const response of job.responses.values()) {
      if (response.firstResponseAt !== null && this.time.isLive(response.firstResponseAt)) {
        this.series.latency(
          METRIC.firstResponse,
          this.m.firstResponse,
          job,
          kind,
          response.dvm,
          response.firstResponseAt,
          at,
        );
      }
      if (response.firstResultAt !== null && this.time.isLive(response.firstResultAt)) {
        this.series.latency(
          METRIC.duration,
          this.m.duration,
          job,
          kind,
          response.dvm,
          response.firstResultAt,
          at,
        );
      }
    }
  }

  private addressed(job: JobSnapshot, target: string, kind: string, at: number): void {
    const dvm = this.series.targetLabel(target, METRIC.requestsTargeted, at);
    this.series.countAs(METRIC.requestsTargeted, this.m.requestsTargeted, { kind, dvm });
    // A zero sample now gives `increase()` a baseline before the first unanswered request is counted.
    if (dvm !== UNKNOWN_DVM)
      this.series.countAs(METRIC.requestsUnanswered, this.m.requestsUnanswered, { kind, dvm }, 0);
    if (!job.responses.has(target)) {
      const deadline = at + this.options.answerTimeoutSeconds;
      this.pending.add({ jobId: job.id, dvm: target, kind, requestAt: at, deadline });
    }
  }

  /**
   * A job that leaves the index can no longer be answered: a DVM it addressed whose answer timeout has
   * passed never answered (whether or not another DVM did); the others are forgotten undecided.
   */
  private onEvicted(jobId: string): void {
    const now = this.time.now();
    for (const entry of this.pending.takeJob(jobId)) if (entry.deadline <= now) this.unanswered(entry);
    this.working.endJob(jobId);
  }

  private unanswered(entry: PendingAnswer): void {
    const dvm = this.series.targetLabel(entry.dvm, METRIC.requestsUnanswered, entry.requestAt);
    this.series.countAs(METRIC.requestsUnanswered, this.m.requestsUnanswered, { kind: entry.kind, dvm });
    if (dvm === entry.dvm) this.series.noteUnanswered(dvm, entry.requestAt);
  }

  private onFeedback(
    job: JobSnapshot,
    response: DvmResponseSnapshot | undefined,
    feedback: JobFeedback,
    firstResponse: boolean,
    open: boolean,
  ): void {
    const dvm = feedback.event.pubkey;
    const at = feedback.event.created_at;
    this.series.noteResponse(dvm, at, false);
    this.pending.answer(job.id, dvm);
    const live = this.time.isLive(at);
    if (open) {
      const working =
        live &&
        response !== undefined &&
        response.firstResultAt === null &&
        isWorkingStatus(response.lastStatus);
      this.working.update(job.id, dvm, working, at);
    }
    if (!live) return;
    this.series.count(METRIC.feedback, this.m.feedback, dvm, at, {
      kind: requestKindLabel(job),
      status: feedback.status,
    });
    if (firstResponse && job.request !== null) {
      const kind = kindLabel(job.request.kind);
      this.series.latency(
        METRIC.firstResponse,
        this.m.firstResponse,
        job,
        kind,
        dvm,
        at,
        job.request.createdAt,
      );
    }
    if (isPaymentRequest(feedback)) this.onPaymentRequested(job, response, feedback);
  }

  /** Counted once per job and DVM: only while this is the DVM's one payment request on the job. */
  private onPaymentRequested(
    job: JobSnapshot,
    response: DvmResponseSnapshot | undefined,
    feedback: JobFeedback,
  ): void {
    const others =
      response?.feedback.some((f) => isPaymentRequest(f) && f.event.id !== feedback.event.id) ?? false;
    if (others) return;
    const msat = effectiveMsat(feedback.amount) ?? 0;
    const dvm = feedback.event.pubkey;
    const at = feedback.event.created_at;
    const kind = jobKindLabel(job);
    this.series.count(METRIC.paymentRequested, this.m.paymentRequested, dvm, at, { kind }, msat);
    // A zero sample now gives `increase()` a baseline before the job can end unfulfilled.
    this.series.count(METRIC.paymentUnfulfilled, this.m.paymentUnfulfilled, dvm, at, { kind }, 0);
  }

  private onResult(
    job: JobSnapshot,
    response: DvmResponseSnapshot | undefined,
    result: JobResult,
    firstResult: boolean,
    firstResponse: boolean,
    open: boolean,
  ): void {
    const dvm = result.event.pubkey;
    const at = result.event.created_at;
    this.series.noteResponse(dvm, at, true);
    this.pending.answer(job.id, dvm);
    if (open) this.working.update(job.id, dvm, false, at);
    if (!this.time.isLive(at)) return;
    const encrypted = String(result.encryption !== 'none');
    this.series.count(METRIC.results, this.m.results, dvm, at, {
      kind: kindLabel(result.requestKind),
      encrypted,
    });
    if (job.request === null || response === undefined) return;
    const kind = kindLabel(job.request.kind);
    const requestAt = job.request.createdAt;
    if (firstResult) this.series.latency(METRIC.duration, this.m.duration, job, kind, dvm, at, requestAt);
    if (firstResponse)
      this.series.latency(METRIC.firstResponse, this.m.firstResponse, job, kind, dvm, at, requestAt);
  }

  /** A response to a job that already ended still counts; it is first when the DVM's snapshot holds only it. */
  private onLate(job: JobSnapshot, event: LateEvent['event']): void {
    this.m.late.inc({ role: event.role });
    if (event.role !== 'result' && event.role !== 'feedback') return;
    const response = job.responses.get(event.event.pubkey);
    const results = response?.results ?? [];
    const feedback = response?.feedback ?? [];
    const onlyThis = (list: readonly { event: { id: string } }[]) =>
      list.length === 1 && list[0]?.event.id === event.event.id;
    if (event.role === 'result') {
      const firstResult = onlyThis(results);
      this.onResult(job, response, event, firstResult, firstResult && feedback.length === 0, false);
    } else {
      this.onFeedback(job, response, event, onlyThis(feedback) && results.length === 0, false);
    }
  }

  private onEarned(job: JobSnapshot, dvm: string, msat: number): void {
    const response = job.responses.get(dvm);
    // Earned once both the payment request and the result exist: the later of the two is when.
    const requestedAt = response?.feedback.filter(isPaymentRequest).map((f) => f.event.created_at) ?? [];
    const at = Math.max(response?.firstResultAt ?? 0, ...requestedAt);
    if (response !== undefined && !this.time.isLive(at)) return;
    this.series.count(METRIC.paymentEarned, this.m.paymentEarned, dvm, at, { kind: jobKindLabel(job) }, msat);
  }

  private onEnded(job: JobSnapshot, outcome: JobOutcome): void {
    this.working.endJob(job.id);
    // An expired job has had its full expiry: whoever it addressed and did not hear from never answered.
    if (outcome === 'expired') for (const entry of this.pending.takeJob(job.id)) this.unanswered(entry);
    const at = job.endedAt ?? this.time.now();
    if (!this.time.isLive(at)) return;
    const kind = jobKindLabel(job);
    this.m.jobsEnded.inc({ kind, outcome });
    if (outcome === 'cancelled') return;
    for (const response of job.responses.values()) {
      if (response.paymentRequested === null || response.firstResultAt !== null) continue;
      this.series.count(METRIC.paymentUnfulfilled, this.m.paymentUnfulfilled, response.dvm, at, { kind });
    }
  }

  private onAnnounced(announcement: DvmAnnouncement): void {
    const dvm = announcement.event.pubkey;
    const at = announcement.event.created_at;
    this.series.announce(dvm, announcement.profile.name, at, METRIC.info);
  }

  private onHeartbeat(heartbeat: Heartbeat): void {
    const at = heartbeat.event.created_at;
    const evidence = this.series.evidenceFor(heartbeat.event.pubkey, at, METRIC.lastHeartbeat);
    if (evidence) evidence.lastHeartbeatAt = Math.max(evidence.lastHeartbeatAt ?? 0, at);
  }

  /** A response with no usable `e` tag never joins a job, but it is still a DVM's feedback or result. */
  private onOrphan(event: DvmEvent, reason: string): void {
    if (reason !== 'no_e_tag' || (event.role !== 'feedback' && event.role !== 'result')) return;
    const dvm = event.event.pubkey;
    const at = event.event.created_at;
    this.series.noteResponse(dvm, at, event.role === 'result');
    if (!this.time.isLive(at)) return;
    if (event.role === 'result') {
      const encrypted = String(event.encryption !== 'none');
      this.series.count(METRIC.results, this.m.results, dvm, at, {
        kind: kindLabel(event.requestKind),
        encrypted,
      });
    } else {
      this.series.count(METRIC.feedback, this.m.feedback, dvm, at, {
        kind: UNKNOWN_KIND,
        status: event.status,
      });
    }
  }
}
