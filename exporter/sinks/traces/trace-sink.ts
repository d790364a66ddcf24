import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { Registry } from 'prom-client';
import type { Logger } from '../../app/logger.js';
import type {
  ChainLinked,
  DomainEvent,
  JobSnapshot,
  LateEvent,
  ZapReceived,
} from '../../jobs/domain-events.js';
import type { Sink } from '../../pipeline/sink.js';
import { VERSION } from '../../version.js';
import { ChainMemory } from './chain-memory.js';
import { type EmittedJob, jobRefOf } from './chain-view.js';
import { CountingSpanExporter } from './counting-exporter.js';
import { jobEndOf, planJob, planResponse } from './job-spans.js';
import { planChainLink, planLate, planZap, zapParent } from './late-spans.js';
import type { OtlpTarget } from './otlp-target.js';
import { SpanLedger } from './span-ledger.js';
import type { SpanSpec } from './span-spec.js';
import { PresetIdGenerator, writeSpan } from './span-writer.js';

/** Batch export tuning; the defaults are the SDK's, except a shorter export timeout. */
export interface BatchTuning {
  readonly maxQueueSize: number;
  readonly maxExportBatchSize: number;
  readonly scheduledDelayMillis: number;
  /** Per export, retries included; a backend that takes longer counts the batch as failed. */
  readonly exportTimeoutMillis: number;
}

export const DEFAULT_BATCH_TUNING: BatchTuning = Object.freeze({
  maxQueueSize: 2048,
  maxExportBatchSize: 512,
  scheduledDelayMillis: 5000,
  exportTimeoutMillis: 10_000,
});

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
  private readonly provider: TracerProvider;
  private readonly tracer: Tracer;
  private readonly ids = new PresetIdGenerator();
  private readonly exporter: CountingSpanExporter;
  private readonly ledger: SpanLedger;
  private readonly memory: ChainMemory;
  private readonly logger: Logger;
  private exportFailing = false;
  private closed = false;
  private readonly backpressure: boolean;
  private readonly highWater: number;
  private readonly lowWater: number;
  private roomWaiters: Array<() => void> = [];

  constructor(options: TraceSinkOptions) {
    const tuning: BatchTuning = {
      ...DEFAULT_BATCH_TUNING,
      ...(options.target.timeoutMillis === null ? {} : { exportTimeoutMillis: options.target.timeoutMillis }),
      ...options.batch,
    };
    this.logger = options.logger;
    this.memory = new ChainMemory(options.rememberJobs);
    this.ledger = new SpanLedger(options.registry, tuning.maxQueueSize);
    this.backpressure = options.backpressure ?? false;
    this.highWater = Math.max(1, Math.floor(tuning.maxQueueSize * 0.75));
    this.lowWater = Math.floor(tuning.maxQueueSize * 0.25);
    const otlp = new OTLPTraceExporter({
      url: options.target.url,
      headers: { ...options.target.headers },
      timeoutMillis: tuning.exportTimeoutMillis,
    });
    this.exporter = new CountingSpanExporter(
      otlp,
      {
        succeeded: (count) => this.exportSucceeded(count),
        failed: (count, reason, error) => this.exportFailed(count, reason, error),
      },
      tuning.exportTimeoutMillis + 2_000,
    );
    this.provider = new TracerProvider({
      resource: defaultResource().merge(
        resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName, [ATTR_SERVICE_VERSION]: VERSION }),
      ),
      idGenerator: this.ids,
      sampler: new AlwaysOnSampler(),
      spanLimits: { attributeValueLengthLimit: 1024, eventCountLimit: 256, linkCountLimit: 128 },
      spanProcessors: [
        new BatchSpanProcessor({
          exporter: this.exporter,
          maxQueueSize: tuning.maxQueueSize,
          maxExportBatchSize: Math.min(tuning.maxExportBatchSize, tuning.maxQueueSize),
          scheduledDelayMillis: tuning.scheduledDelayMillis,
          exportTimeoutMillis: tuning.exportTimeoutMillis + 1_000,
        }),
      ],
    });
    this.tracer = this.provider.getTracer('dvm-exporter', VERSION);
  }

  handle(event: DomainEvent): void {
    if (this.closed) return;
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
      default:
        return;
    }
  }

  /** Spans handed in and not yet exported or failed. */
  get pendingSpans(): number {
    return this.ledger.pending;
  }

  capacity(): Promise<void> | null {
    if (!this.backpressure || this.closed || this.exportFailing || this.ledger.pending < this.highWater)
      return null;
    const room = new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    // Send what is queued now rather than after the batch delay.
    this.provider.forceFlush().catch(() => {});
    return room;
  }

  async flush(): Promise<void> {
    try {
      await this.provider.forceFlush();
    } catch {
      // A failed export is already counted; flush only promises a verdict for every span.
    }
    await this.exporter.settled();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.releaseWaiters();
    try {
      await this.provider.shutdown();
    } catch {
      // Counted like any failed export; the exporter is shut down below either way.
    }
    await this.exporter.shutdown();
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
        this.ledger.skipped(1, 'zap_overflow');
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
    this.ledger.skipped(duplicates, 'duplicate');
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

  /** A job's spans go out together or not at all, so a trace is never half there for lack of room. */
  private write(specs: readonly SpanSpec[]): void {
    if (!this.ledger.admit(specs.length)) return;
    // Counted before writing: the processor may export (and fail) synchronously inside `end()`.
    this.ledger.handedIn(specs.length);
    for (const spec of specs) {
      try {
        writeSpan(this.tracer, this.ids, spec);
      } catch (error) {
        this.ledger.exportFailed(1, 'export_failed');
        this.logger.error({ err: error, span: spec.name, traceId: spec.traceId }, 'could not build a span');
      }
    }
  }

  private releaseWaiters(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private exportSettled(): void {
    if (this.roomWaiters.length > 0 && (this.exportFailing || this.ledger.pending <= this.lowWater)) {
      this.releaseWaiters();
    }
  }

  private exportSucceeded(count: number): void {
    this.ledger.exportSucceeded(count);
    this.exportSettled();
    if (this.exportFailing) {
      this.exportFailing = false;
      this.logger.info('trace export recovered');
    }
  }

  private exportFailed(
    count: number,
    reason: 'export_failed' | 'export_timeout',
    error: Error | undefined,
  ): void {
    this.ledger.exportFailed(count, reason);
    // One line per outage, not per batch: the counters carry the volume.
    if (!this.exportFailing) {
      this.exportFailing = true;
      this.logger.warn(
        { reason, spans: count, err: error?.message },
        'trace export failed; spans are dropped and counted',
      );
    }
    this.exportSettled();
  }
}
