import { describe, expect, it } from 'vitest';
import { hex, key, request, result, T0 } from '../support/dvm-events.js';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import { freePort } from '../support/ports.js';
import { counterValue, IndexDriver, traceSink } from './support.js';

const A = key('dvm-a');

/** Settles `jobs` one-DVM jobs (2 spans each) through a real index. */
function settleJobs(driver: IndexDriver, jobs: number, label: string): void {
  for (let i = 0; i < jobs; i++) {
    const id = hex(`${label}-${i}`);
    driver.at(i, request({ id, at: T0 + i }), result({ requestId: id, dvm: A, at: T0 + i + 1 }));
  }
  driver.at(jobs + 500);
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('a trace backend that is down, refusing or hanging costs only counted spans', () => {
  it('keeps handling events when nothing listens, and counts every span as failed', async () => {
    const port = await freePort();
    const { sink, registry } = traceSink(`http://127.0.0.1:${port}/v1/traces`, {
      batch: { exportTimeoutMillis: 300 },
    });
    const driver = new IndexDriver((event) => sink.handle(event));
    expect(() => settleJobs(driver, 5, 'down')).not.toThrow();
    await sink.flush();
    expect(await counterValue(registry, 'dvm_exporter_spans_emitted_total')).toBe(10);
    expect(await counterValue(registry, 'dvm_exporter_spans_exported_total')).toBe(0);
    expect(
      await counterValue(registry, 'dvm_exporter_spans_dropped_total', { reason: 'export_failed' }),
    ).toBe(10);
    expect(sink.pendingSpans).toBe(0);
    await sink.close();
  });

  it('counts spans the backend refuses, and recovers when it accepts again', async () => {
    const receiver = await OtlpReceiver.start({ kind: 'status', status: 400 });
    try {
      const { sink, registry } = traceSink(receiver.url);
      const driver = new IndexDriver((event) => sink.handle(event));
      settleJobs(driver, 2, 'refused');
      await sink.flush();
      expect(
        await counterValue(registry, 'dvm_exporter_spans_dropped_total', { reason: 'export_failed' }),
      ).toBe(4);

      receiver.behaviour = { kind: 'accept' };
      settleJobs(driver, 3, 'accepted');
      await sink.flush();
      expect(await counterValue(registry, 'dvm_exporter_spans_exported_total')).toBe(6);
      expect(receiver.spans()).toHaveLength(6);
      await sink.close();
    } finally {
      await receiver.close();
    }
  });

  it('with a hanging backend, refuses spans past its queue instead of growing, and never blocks', async () => {
    const receiver = await OtlpReceiver.start({ kind: 'hang' });
    try {
      const { sink, registry } = traceSink(receiver.url, {
        batch: { maxQueueSize: 8, maxExportBatchSize: 4, exportTimeoutMillis: 500 },
      });
      const driver = new IndexDriver((event) => sink.handle(event));
      settleJobs(driver, 20, 'hang');
      // 40 spans for a queue of 8: whole jobs beyond the room are refused at once.
      expect(sink.pendingSpans).toBeLessThanOrEqual(8);
      expect(await counterValue(registry, 'dvm_exporter_spans_emitted_total')).toBe(8);
      expect(await counterValue(registry, 'dvm_exporter_spans_dropped_total', { reason: 'queue_full' })).toBe(
        32,
      );
      await waitFor(async () => receiver.requests > 0);
      // The exporter gives up on the hanging requests; every handed-in span gets a verdict.
      await sink.flush();
      expect(sink.pendingSpans).toBe(0);
      const failed =
        (await counterValue(registry, 'dvm_exporter_spans_dropped_total', { reason: 'export_failed' })) +
        (await counterValue(registry, 'dvm_exporter_spans_dropped_total', { reason: 'export_timeout' }));
      expect(failed).toBe(8);
      await sink.close();
    } finally {
      await receiver.close();
    }
  });

  it('in replay, asks ingestion to wait while the queue is full, then lets it go on', async () => {
    const receiver = await OtlpReceiver.start();
    try {
      const { sink, registry } = traceSink(receiver.url, {
        backpressure: true,
        batch: { maxQueueSize: 8, maxExportBatchSize: 8, scheduledDelayMillis: 60_000 },
      });
      const driver = new IndexDriver((event) => sink.handle(event));
      settleJobs(driver, 3, 'room');
      // 6 spans pending of 8: three-quarters full, so ingestion should wait...
      const wait = sink.capacity();
      expect(wait).not.toBeNull();
      // ...and may go on once the backend took them (the wait flushes without the batch delay).
      await wait;
      expect(sink.pendingSpans).toBeLessThanOrEqual(2);
      expect(sink.capacity()).toBeNull();
      expect(await counterValue(registry, 'dvm_exporter_spans_exported_total')).toBe(6);
      await sink.close();
    } finally {
      await receiver.close();
    }
  });

  it('in replay, never waits on a backend that is down: spans are dropped and counted instead', async () => {
    const port = await freePort();
    const { sink, registry } = traceSink(`http://127.0.0.1:${port}/v1/traces`, {
      backpressure: true,
      batch: { maxQueueSize: 8, maxExportBatchSize: 2, exportTimeoutMillis: 200 },
    });
    const driver = new IndexDriver((event) => sink.handle(event));
    settleJobs(driver, 1, 'probe');
    await sink.flush();
    expect(
      await counterValue(registry, 'dvm_exporter_spans_dropped_total', { reason: 'export_failed' }),
    ).toBe(2);
    settleJobs(driver, 10, 'down-replay');
    expect(sink.pendingSpans).toBeGreaterThanOrEqual(6);
    expect(sink.capacity()).toBeNull();
    await sink.close();
  });

  it('exposes the span counters with every reason initialised', async () => {
    const receiver = await OtlpReceiver.start();
    try {
      const { sink, registry } = traceSink(receiver.url);
      const text = await registry.metrics();
      for (const reason of ['queue_full', 'export_failed', 'export_timeout', 'duplicate', 'zap_overflow']) {
        expect(text).toContain(`dvm_exporter_spans_dropped_total{reason="${reason}"} 0`);
      }
      expect(text).toContain('dvm_exporter_spans_pending 0');
      await sink.close();
    } finally {
      await receiver.close();
    }
  });
});
