import type { Registry } from 'prom-client';
import type { Logger } from '../../base/logger.js';
import {
  type ChainLinked,
  type DomainEvent,
  type JobSnapshot,
  type LateEvent,
  unhandledEvent,
  type ZapReceived,
} from '../../jobs/domain-events.js';
import type { Sink } from '../../pipeline/sink.js';
import { ChainMemory } from './chain-memory.js';
import { type EmittedJob, jobRefOf } from './chain-view.js';
import { jobEndOf, planJob, planResponse } from './job-spans.js';
import { planChainLink, planLate, planZap, zapParent } from './late-spans.js';
import type { OtlpTarget } from './otlp-target.js';
import { type BatchTuning, SpanExport } from './span-export.js';
import type { SpanSpec } from './span-spec.js';

export { type BatchTuning, DEFAULT_BATCH_TUNING } from './span-export.js';

export interface TraceSinkOptions {
  readonly target: OtlpTarget;
  readonly serviceName: string;
  /** Receives the `dvm_exporter_spans_*` metrics. */
  readonly registry: Registry;
  readonly logger: Logger;
  /** Jobs remembered for chain placement and late events; the job index's cap is a good value. */
  readonly rememberJobs: number;
  readonly batch?: Partial<BatchTuning>;
  /**
   * Ask ingestion to wait while the export queue is three-quarters full, instead of dropping spans
   * (replay, where a complete set of traces is the point). Never while exports are failing: a backend
   * that is down costs dropped spans, not a stalled replay. Off for `run`, where relays must be read.
   */
  readonly backpressure?: boolean;
}

/**
 * Turns job domain events into one OpenTelemetry trace per job chain and sends them over OTLP/HTTP.
 * A job's spans are built when it settles or expires (spans cannot change once ended); events after
 * that become spans of their own in the same trace. The provider is private (never the global one),
 * so the exporter's own HTTP calls never show up in job traces. A slow or absent backend only costs
 * dropped spans, counted in `dvm_exporter_spans_dropped_total`: `handle` never waits and never throws.
 */
export class TraceSink implements Sink {
  readonly name = 'traces';
  private readonly export: SpanExport;
  private readonly memory: ChainMemory;

  constructor(options: TraceSinkOptions) {
    this.memory = new ChainMemory(options.rememberJobs);
    this.export = new SpanExport({ ...options, backpressure: options.backpressure ?? false });
  }

  handle(event: DomainEvent): void {
    switch (event.type) {
      case 'job_requested':
        this.memory.noteRoot(event.job.id, event.job.rootId);
        // A request that arrives after its job was emitted from early responses.
        if (event.job.outcome !== null && this.memory.emitted(event.job.id)) {
          this.write([planLate(event.job, event.request, this.memory, event.at).span]);
        }
        return;
      case 'job_feedback':
      case 'job_result':
      case 'job_cancelled':
      case 'payment_earned':
      case 'kind_mismatch':
        this.memory.noteRoot(event.job.id, event.job.rootId);
        return;
      case 'chain_linked':
        this.onChainLinked(event);
        return;
      case 'job_settled':
      case 'job_expired':
        this.emitJob(event.job, event.at);
        return;
      case 'late_event':
        this.emitLate(event);
        return;
      case 'zap':
        this.onZap(event);
        return;
      // Not part of a job's trace.
      case 'event_accepted':
      case 'event_sighted':
      case 'cancellation_rejected':
      case 'dvm_announced':
      case 'dvm_recommended':
      case 'heartbeat':
      case 'orphan':
      case 'job_evicted':
        return;
      default:
        unhandledEvent(event);
    }
  }

  /** Spans handed in and not yet exported or failed. */
  get pendingSpans(): number {
    return this.export.pending;
  }

  capacity(): Promise<void> | null {
    return this.export.capacity();
  }

  flush(): Promise<void> {
    return this.export.flush();
  }

  close(): Promise<void> {
    return this.export.close();
  }

  private emitJob(job: JobSnapshot, at: number): void {
    const already = this.memory.emitted(job.id);
    if (already) {
      this.emitMissingResponses(job, already, at);
      return;
    }
    const plan = planJob(job, this.memory, at);
    this.memory.noteEmitted(job.id, job.rootId, plan.placement.ref, plan.job.start, job.kind);
    for (const { dvm } of plan.responses) this.memory.noteResponse(job.id, dvm);
    const emitted = this.memory.emitted(job.id)!;
    const zaps = this.memory
      .takeZaps(job.id)
      .map(({ zap, dvm }) => planZap(job, zap, dvm, zapParent(job.id, emitted.ref, dvm, emitted.dvms)));
    this.write([plan.job, ...plan.responses.map((r) => r.span), ...zaps]);
  }

  /** Zap spans go out with their job (whose trace is settled by then), or at once if it is out already. */
  private onZap(event: ZapReceived): void {
    if (event.jobId === null) return;
    const emitted = this.memory.emitted(event.jobId);
    if (!emitted) {
      if (!this.memory.holdZap(event.jobId, { zap: event.zap, dvm: event.dvm }))
        this.export.ledger.skipped(1, 'zap_overflow');
      return;
    }
    const parent = zapParent(event.jobId, emitted.ref, event.dvm, emitted.dvms);
    this.write([planZap({ id: event.jobId, kind: emitted.kind }, event.zap, event.dvm, parent)]);
  }

  /**
   * A job the index settles a second time (it forgot the job, then saw more of it): its span is out
   * already, so only DVMs not yet shown get their response span.
   */
  private emitMissingResponses(job: JobSnapshot, already: EmittedJob, at: number): void {
    const timing = { jobStart: already.start, jobEnd: jobEndOf(job, already.start, at), late: true };
    const specs: SpanSpec[] = [];
    let duplicates = 1;
    for (const response of job.responses.values()) {
      if (response.firstResponseAt === null) continue;
      if (already.dvms.has(response.dvm)) {
        duplicates++;
        continue;
      }
      specs.push(planResponse(job, already.ref, response, timing));
      this.memory.noteResponse(job.id, response.dvm);
    }
    this.export.ledger.skipped(duplicates, 'duplicate');
    if (specs.length > 0) this.write(specs);
  }

  private emitLate(event: LateEvent): void {
    const planned = planLate(event.job, event.event, this.memory, event.at);
    this.memory.noteRoot(event.job.id, event.job.rootId);
    if (planned.responseOf !== null) this.memory.noteResponse(event.job.id, planned.responseOf);
    this.write([planned.span]);
  }

  private onChainLinked(link: ChainLinked): void {
    // rootId is the child's root; the parent (a second input, say) may sit in another chain.
    this.memory.noteRoot(link.childId, link.rootId);
    const child = this.memory.emitted(link.childId);
    if (!child) return;
    const parentRef = jobRefOf(link.parentId, this.memory);
    if (child.ref.traceId === parentRef.traceId || child.standIns.has(parentRef.traceId)) return;
    const spec = planChainLink(link, child, this.memory);
    this.memory.noteStandIn(link.childId, { traceId: spec.traceId, spanId: spec.spanId });
    this.write([spec]);
  }

  private write(specs: readonly SpanSpec[]): void {
    this.export.write(specs);
  }
}
