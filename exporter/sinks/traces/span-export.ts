import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { Registry } from 'prom-client';
import type { Logger } from '../../base/logger.js';
import { VERSION } from '../../base/version.js';
import { CountingSpanExporter } from './counting-exporter.js';
import type { OtlpTarget } from './otlp-target.js';
import { SpanLedger } from './span-ledger.js';
import type { SpanSpec } from './span-spec.js';
import { PresetIdGenerator, writeSpan } from './span-writer.js';

/** Batch export tuning; the defaults are the SDK's. */
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

export interface SpanExportOptions {
  readonly target: OtlpTarget;
  readonly serviceName: string;
  readonly registry: Registry;
  readonly logger: Logger;
  readonly batch?: Partial<BatchTuning>;
  readonly backpressure: boolean;
}

/**
 * The OpenTelemetry side: a private TracerProvider (never the global one, and no instrumentation, so
 * the exporter's own HTTP calls stay out of job traces) with a batch processor and the OTLP/HTTP
 * exporter, plus the account of every span handed in (`dvm_exporter_spans_*`), since the SDK's batch
 * processor drops spans silently when its queue is full.
 */
export class SpanExport {
  private readonly provider: TracerProvider;
  private readonly tracer: Tracer;
  private readonly ids = new PresetIdGenerator();
  private readonly exporter: CountingSpanExporter;
  readonly ledger: SpanLedger;
  private readonly logger: Logger;
  private readonly backpressure: boolean;
  private readonly highWater: number;
  private readonly lowWater: number;
  private roomWaiters: Array<() => void> = [];
  private failing = false;
  private closed = false;

  constructor(options: SpanExportOptions) {
    const tuning: BatchTuning = {
      ...DEFAULT_BATCH_TUNING,
      ...(options.target.timeoutMillis === null ? {} : { exportTimeoutMillis: options.target.timeoutMillis }),
      ...options.batch,
    };
    this.logger = options.logger;
    this.ledger = new SpanLedger(options.registry, tuning.maxQueueSize);
    this.backpressure = options.backpressure;
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

  /** Spans handed in and not yet exported or failed. */
  get pending(): number {
    return this.ledger.pending;
  }

  /** Spans go out together or not at all, so a job's trace is never half there for lack of room. */
  write(specs: readonly SpanSpec[]): void {
    if (this.closed || specs.length === 0 || !this.ledger.admit(specs.length)) return;
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

  /**
   * With backpressure on, a promise while the queue is three-quarters full, resolved when it is back
   * to a quarter; never while exports are failing (a backend that is down costs dropped spans instead).
   */
  capacity(): Promise<void> | null {
    if (!this.backpressure || this.closed || this.failing || this.ledger.pending < this.highWater)
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

  private releaseWaiters(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private exportSettled(): void {
    if (this.roomWaiters.length > 0 && (this.failing || this.ledger.pending <= this.lowWater)) {
      this.releaseWaiters();
    }
  }

  private exportSucceeded(count: number): void {
    this.ledger.exportSucceeded(count);
    this.exportSettled();
    if (this.failing) {
      this.failing = false;
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
    if (!this.failing) {
      this.failing = true;
      this.logger.warn(
        { reason, spans: count, err: error?.message },
        'trace export failed; spans are dropped and counted',
      );
    }
    this.exportSettled();
  }
}
