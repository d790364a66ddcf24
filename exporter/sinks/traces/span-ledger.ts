import { Counter, Gauge, type Registry } from 'prom-client';

/** Why spans did not reach the trace backend. */
export const SPAN_DROP_REASONS = [
  'queue_full',
  'export_failed',
  'export_timeout',
  'duplicate',
  'zap_overflow',
] as const;
export type SpanDropReason = (typeof SPAN_DROP_REASONS)[number];

/**
 * The sink's own account of its spans: the SDK's batch processor drops spans silently when its queue
 * is full, so the sink counts what it hands in and what the exporter reports back, and refuses new
 * spans itself before the processor's queue could overflow.
 */
export class SpanLedger {
  private inFlight = 0;
  private readonly emitted: Counter;
  private readonly exported: Counter;
  private readonly dropped: Counter<'reason'>;

  constructor(
    registry: Registry,
    /** Spans handed in and not yet exported or failed; at this many, new spans are dropped. */
    readonly capacity: number,
  ) {
    this.emitted = new Counter({
      name: 'dvm_exporter_spans_emitted_total',
      help: 'Spans built from job events and queued for export to the trace backend.',
      registers: [registry],
    });
    this.exported = new Counter({
      name: 'dvm_exporter_spans_exported_total',
      help: 'Spans the trace backend accepted.',
      registers: [registry],
    });
    this.dropped = new Counter({
      name: 'dvm_exporter_spans_dropped_total',
      help: 'Spans that did not reach the trace backend, by reason.',
      labelNames: ['reason'],
      registers: [registry],
    });
    for (const reason of SPAN_DROP_REASONS) this.dropped.inc({ reason }, 0);
    const ledger = this;
    new Gauge({
      name: 'dvm_exporter_spans_pending',
      help: 'Spans queued for export or being exported.',
      registers: [registry],
      collect() {
        this.set(ledger.inFlight);
      },
    });
  }

  get pending(): number {
    return this.inFlight;
  }

  /** Whether `count` more spans fit; when they do not, they are counted as dropped (queue_full). */
  admit(count: number): boolean {
    if (this.inFlight + count > this.capacity) {
      this.dropped.inc({ reason: 'queue_full' }, count);
      return false;
    }
    return true;
  }

  handedIn(count: number): void {
    this.inFlight += count;
    this.emitted.inc(count);
  }

  exportSucceeded(count: number): void {
    this.inFlight = Math.max(0, this.inFlight - count);
    this.exported.inc(count);
  }

  exportFailed(count: number, reason: 'export_failed' | 'export_timeout'): void {
    this.inFlight = Math.max(0, this.inFlight - count);
    this.dropped.inc({ reason }, count);
  }

  skipped(count: number, reason: 'duplicate' | 'zap_overflow'): void {
    this.dropped.inc({ reason }, count);
  }
}
