import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

export interface ExportReport {
  succeeded(count: number): void;
  failed(count: number, reason: 'export_failed' | 'export_timeout', error: Error | undefined): void;
}

/**
 * Wraps the OTLP exporter to learn the fate of every batch, and guarantees each batch a verdict: if
 * the inner exporter has not answered within the watchdog time, the batch counts as timed out (a late
 * answer is then ignored), so the pending count can never leak.
 */
export class CountingSpanExporter implements SpanExporter {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly inner: SpanExporter,
    private readonly report: ExportReport,
    private readonly watchdogMillis: number,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let settle!: () => void;
    const done = new Promise<void>((resolve) => {
      settle = resolve;
    });
    this.inFlight.add(done);
    let answered = false;
    const finish = (result: ExportResult, timedOut: boolean): void => {
      if (answered) return;
      answered = true;
      clearTimeout(watchdog);
      this.inFlight.delete(done);
      settle();
      if (result.code === ExportResultCode.SUCCESS) this.report.succeeded(spans.length);
      else this.report.failed(spans.length, timedOut ? 'export_timeout' : 'export_failed', result.error);
      resultCallback(result);
    };
    const watchdog = setTimeout(
      () => finish({ code: ExportResultCode.FAILED, error: new Error('trace export timed out') }, true),
      this.watchdogMillis,
    );
    watchdog.unref();
    try {
      this.inner.export(spans, (result) => finish(result, false));
    } catch (error) {
      finish(
        { code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) },
        false,
      );
    }
  }

  /** Resolves once every batch handed over so far has a verdict. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  async forceFlush(): Promise<void> {
    await this.settled();
  }

  async shutdown(): Promise<void> {
    await this.settled();
    await this.inner.shutdown();
  }
}
