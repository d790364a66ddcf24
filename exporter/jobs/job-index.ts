import type { Clock } from '../base/clock.js';
import type {
  Cancellation,
  DvmEvent,
  JobFeedback,
  JobRequest,
  JobResult,
  ZapReceipt,
} from '../model/dvm-event.js';
import type { DomainEvent, JobSnapshot, OrphanReason } from './domain-events.js';
import type { Job } from './job-state.js';
import { Emitter, JobStore } from './job-store.js';
import { checkJobIndexOptions, JOB_LIMITS, type JobIndexOptions } from './options.js';
import { type AddOutcome, DvmResponse } from './response-state.js';
import { expiryDeadline, windowDeadline } from './settlement.js';
import type { JobIndexStats } from './stats.js';

export { DEFAULT_JOB_INDEX_OPTIONS, JOB_LIMITS, type JobIndexOptions } from './options.js';
export type { InFlightKind, JobIndexStats } from './stats.js';

/**
 * Correlates DVM events into jobs (keyed by request id) and job chains, and tells the sinks what
 * happened as domain events. Pure and synchronous: time comes from the injected clock, output goes
 * to `emit`. Any arrival order works; memory is bounded by `maxJobs` and `horizonSeconds`, and every
 * job that leaves is announced with `job_evicted`.
 */
export class JobIndex {
  private readonly out: Emitter;
  private readonly store: JobStore;

  constructor(
    private readonly options: JobIndexOptions,
    private readonly clock: Clock,
    emit: (event: DomainEvent) => void,
  ) {
    checkJobIndexOptions(options);
    this.out = new Emitter(emit);
    this.store = new JobStore(options, this.out);
  }

  /** One accepted, deduplicated event. */
  apply(event: DvmEvent): void {
    const at = this.clock.now();
    this.out.now = at;
    switch (event.role) {
      case 'request':
        this.onRequest(event);
        break;
      case 'feedback':
        this.onFeedback(event);
        break;
      case 'result':
        this.onResult(event);
        break;
      case 'cancellation':
        this.onCancellation(event);
        break;
      case 'zap_receipt':
        this.onZap(event);
        break;
      case 'announcement':
        this.out.emit({ type: 'dvm_announced', at, announcement: event });
        break;
      case 'recommendation':
        this.out.emit({ type: 'dvm_recommended', at, recommendation: event });
        break;
      case 'heartbeat':
        this.out.emit({ type: 'heartbeat', at, heartbeat: event });
        break;
    }
  }

  /** Time-driven work: due settlements and expiries, then age eviction. O(due work), not O(jobs). */
  tick(): void {
    this.out.now = this.clock.now();
    this.store.advance(this.out.now);
  }

  /**
   * End of a finite input: every open job settles or expires, in deadline order, as if time ran on
   * past every deadline. Nothing is evicted, so the final state stays inspectable.
   */
  drain(): void {
    this.out.now = this.clock.now();
    this.store.settleAll();
  }

  get(id: string): JobSnapshot | undefined {
    return this.store.get(id);
  }

  /** Counters and sizes. Walks the tracked jobs for `inFlight`: meant for scrapes and summaries. */
  stats(): JobIndexStats {
    return this.store.stats();
  }

  private onRequest(request: JobRequest): void {
    const id = request.event.id;
    const existing = this.store.get(id);
    if (existing?.request) return;
    const job = existing ?? this.store.create(id);
    if (existing) this.store.touch(job);
    job.attachRequest(request, this.store.strings);
    this.store.requestAttached();
    const at = this.out.now;
    this.out.emit({ type: 'job_requested', at, job, request });
    for (const result of job.storedResults()) {
      if (result.requestKind !== request.kind) this.kindMismatch(job, result);
    }
    const { linked, unseen } = this.store.chains.linkRequest(job);
    for (const parent of linked) {
      this.out.emit({ type: 'chain_linked', at, parentId: parent.id, childId: id, rootId: job.rootId });
    }
    for (let i = 0; i < unseen.length; i++) this.orphan(request, 'job_input_unseen');
    if (!existing) this.adoptWaitingChildren(job);
    if (job.open) {
      job.expireAt = expiryDeadline(job, this.options);
      this.store.reschedule(job);
    }
    for (const cancellation of this.store.pendingCancellations.take(id))
      this.applyCancellation(job, cancellation);
  }

  private onFeedback(feedback: JobFeedback): void {
    const job = this.jobFor(feedback, null);
    if (!job) return;
    const response = this.responseOf(job, this.store.strings.intern(feedback.event.pubkey));
    const firstResponse = response.empty;
    const added = job.addFeedback(response, feedback);
    if (added === 'duplicate') return;
    this.noteAdded(added, job, response, feedback.event.id, 'feedback');
    const at = this.out.now;
    if (job.open) this.out.emit({ type: 'job_feedback', at, job, response, feedback, firstResponse });
    else this.late(job, feedback);
    this.creditPayment(job, response);
    if (job.open && job.settleAt === null) this.updateErrorDeadline(job, feedback);
  }

  private onResult(result: JobResult): void {
    const job = this.jobFor(result, result.requestKind);
    if (!job) return;
    const response = this.responseOf(job, this.store.strings.intern(result.event.pubkey));
    const firstResponse = response.empty;
    const firstResult = response.resultsSeen === 0;
    const added = job.addResult(response, result);
    if (added === 'duplicate') return;
    this.noteAdded(added, job, response, result.event.id, 'results');
    const at = this.out.now;
    if (job.open)
      this.out.emit({ type: 'job_result', at, job, response, result, firstResult, firstResponse });
    else this.late(job, result);
    if (job.request !== null && result.requestKind !== job.kind) this.kindMismatch(job, result);
    this.creditPayment(job, response);
    if (job.open && job.settleAt === null) {
      job.settleAt = windowDeadline(result.event.created_at, at, this.options.settleWindowSeconds);
      this.store.reschedule(job);
    }
  }

  /** The job a response points at, a new placeholder when its request is unseen, or null when unlinkable. */
  private jobFor(event: JobFeedback | JobResult, kind: number | null): Job | null {
    const requestId = event.requestId;
    if (requestId === null) {
      this.orphan(event, 'no_e_tag');
      return null;
    }
    const job = this.store.get(requestId);
    if (job) {
      this.store.touch(job);
      // A placeholder learns its kind from any result, whichever response came first; the smallest,
      // as the `jobs` view takes it, so every arrival order agrees.
      if (job.request === null && kind !== null && (job.kind === null || kind < job.kind)) job.kind = kind;
      return job;
    }
    const placeholder = this.store.create(requestId);
    placeholder.kind = kind;
    this.orphan(event, 'request_unseen');
    this.adoptWaitingChildren(placeholder);
    return placeholder;
  }

  /** The DVM's response on the job; past the per-job DVM cap, a detached one that is emitted but not kept. */
  private responseOf(job: Job, dvm: string): DvmResponse {
    const response = job.responseOf(dvm, JOB_LIMITS.responsesPerJob);
    if (response) return response;
    this.store.overflow.responses++;
    return new DvmResponse(job.id, dvm);
  }

  private noteAdded(
    added: AddOutcome,
    job: Job,
    response: DvmResponse,
    id: string,
    kind: 'feedback' | 'results',
  ) {
    if (added === 'overflow') this.store.overflow[kind]++;
    else if (job.responses.get(response.dvm) === response) this.store.responseIds.set(id, response);
  }

  private creditPayment(job: Job, response: DvmResponse): void {
    const amount = response.earnable()?.amount;
    if (!amount) return;
    const msat = amount.invoiceMsat ?? amount.tagMsat;
    if (msat === null) return;
    response.earnedMsat = msat;
    const source = amount.invoiceMsat !== null ? 'invoice' : 'tag';
    this.out.emit({ type: 'payment_earned', at: this.out.now, job, dvm: response.dvm, msat, source });
  }

  /** A failing job (every DVM ended in error, no result) settles as `error` a window after the last error. */
  private updateErrorDeadline(job: Job, feedback: JobFeedback): void {
    if (!job.failing()) {
      job.errorAt = null;
    } else if (feedback.status === 'error') {
      const candidate = windowDeadline(
        feedback.event.created_at,
        this.out.now,
        this.options.settleWindowSeconds,
      );
      job.errorAt = job.errorAt === null ? candidate : Math.max(job.errorAt, candidate);
    }
    this.store.reschedule(job);
  }

  private onCancellation(cancellation: Cancellation): void {
    for (const targetId of new Set(cancellation.targetIds)) {
      const job = this.store.get(targetId);
      if (job?.request) {
        this.store.touch(job);
        this.applyCancellation(job, cancellation);
      } else if (!this.store.responseIds.has(targetId)) {
        // Unknown, or a placeholder: validity needs the request's author, so it waits for the request.
        this.store.pendingCancellations.add(targetId, cancellation, this.out.now);
      }
    }
  }

  private applyCancellation(job: Job, cancellation: Cancellation): void {
    const at = this.out.now;
    if (cancellation.event.pubkey !== job.request?.pubkey) {
      this.out.emit({ type: 'cancellation_rejected', at, jobId: job.id, cancellation });
      return;
    }
    if (job.cancellation?.event.id === cancellation.event.id) return;
    if (!job.open) {
      job.cancellation ??= cancellation;
      this.late(job, cancellation);
      return;
    }
    job.cancellation = cancellation;
    this.out.emit({ type: 'job_cancelled', at, job, cancellation });
    this.store.finish(job, 'cancelled', cancellation.event.created_at);
  }

  private onZap(zap: ZapReceipt): void {
    for (const targetId of zap.targetIds) {
      const response = this.store.responseIds.get(targetId);
      if (response) {
        this.out.emit({ type: 'zap', at: this.out.now, zap, jobId: response.jobId, dvm: response.dvm });
        return;
      }
    }
    this.out.emit({ type: 'zap', at: this.out.now, zap, jobId: null, dvm: null });
    this.orphan(zap, 'zap_target_unseen');
  }

  private adoptWaitingChildren(parent: Job): void {
    for (const child of this.store.chains.adoptWaiting(parent)) {
      const { id: childId, rootId } = child;
      this.out.emit({ type: 'chain_linked', at: this.out.now, parentId: parent.id, childId, rootId });
    }
  }

  /** An event for a job that already ended: recorded on the job, reported instead of its usual event. */
  private late(job: Job, event: JobFeedback | JobResult | Cancellation): void {
    this.store.anomalies.lateEvents++;
    this.out.emit({ type: 'late_event', at: this.out.now, job, event });
  }

  private kindMismatch(job: Job, result: JobResult): void {
    this.store.anomalies.kindMismatches++;
    this.out.emit({ type: 'kind_mismatch', at: this.out.now, job, result });
  }

  private orphan(event: DvmEvent, reason: OrphanReason): void {
    this.store.orphans[reason]++;
    this.out.emit({ type: 'orphan', at: this.out.now, event, reason });
  }
}
