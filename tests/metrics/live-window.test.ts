import { describe, expect, it } from 'vitest';
import { feedback, heartbeat, key, request, result, T0 } from '../support/dvm-events.js';
import { MetricsHarness } from './harness.js';

const A = key('dvm-a');

describe('live window', () => {
  it('keeps events created before the window out of live counters and counts them as backfill', async () => {
    // The exporter starts an hour after these jobs happened, and the relays replay them.
    const h = new MetricsHarness({ now: T0 + 3_600, metrics: { liveWindowSeconds: 600 } });
    const old = request({ kind: 5300, at: T0 });
    h.feed(
      old,
      feedback({ dvm: A, requestId: old.event.id, at: T0 + 1, status: 'processing' }),
      result({ dvm: A, requestId: old.event.id, at: T0 + 5, requestKind: 5300 }),
    );
    expect(await h.value('dvm_job_requests_total', { kind: '5300', encrypted: 'false' })).toBeUndefined();
    expect(
      await h.value('dvm_job_results_total', { kind: '5300', dvm: A, encrypted: 'false' }),
    ).toBeUndefined();
    expect(await h.value('dvm_job_duration_seconds_count', { kind: '5300', dvm: A })).toBeUndefined();
    expect(await h.value('dvm_exporter_backfill_events_total', { role: 'request' })).toBe(1);
    expect(await h.value('dvm_exporter_backfill_events_total', { role: 'feedback' })).toBe(1);
    expect(await h.value('dvm_exporter_backfill_events_total', { role: 'result' })).toBe(1);

    const fresh = request({ kind: 5300, at: T0 + 3_000 });
    h.feed(fresh, result({ dvm: A, requestId: fresh.event.id, at: T0 + 3_590, requestKind: 5300 }));
    expect(await h.value('dvm_job_requests_total', { kind: '5300', encrypted: 'false' })).toBe(1);
    expect(await h.value('dvm_job_results_total', { kind: '5300', dvm: A, encrypted: 'false' })).toBe(1);
    expect(await h.value('dvm_exporter_backfill_events_total', { role: 'request' })).toBe(1);
  });

  it('still takes backfilled events as evidence for last-seen gauges', async () => {
    const h = new MetricsHarness({ now: T0 + 3_600 });
    h.feed(result({ dvm: A, requestId: null, at: T0, requestKind: 5300 }), heartbeat(A, T0 + 100));
    await h.scrape();
    expect(await h.value('dvm_last_seen_timestamp_seconds', { dvm: A })).toBe(T0);
    expect(await h.value('dvm_last_result_timestamp_seconds', { dvm: A })).toBe(T0);
    expect(await h.value('dvm_last_heartbeat_timestamp_seconds', { dvm: A })).toBe(T0 + 100);
  });

  it('counts every event in replay, however old', async () => {
    const h = new MetricsHarness({ mode: 'replay', now: T0 + 30 * 86_400 });
    const old = request({ kind: 5300, at: T0 });
    h.feed(old, result({ dvm: A, requestId: old.event.id, at: T0 + 5, requestKind: 5300 }));
    expect(await h.value('dvm_job_requests_total', { kind: '5300', encrypted: 'false' })).toBe(1);
    expect(await h.value('dvm_job_duration_seconds_sum', { kind: '5300', dvm: A })).toBe(5);
    expect(await h.value('dvm_exporter_backfill_events_total', { role: 'request' })).toBeUndefined();
  });
});
