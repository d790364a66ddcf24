import { describe, expect, it } from 'vitest';
import { amount, cancellation, feedback, hex, key, request, result, T0 } from '../support/dvm-events.js';
import { MetricsHarness } from './harness.js';

const A = key('dvm-a');
const B = key('dvm-b');

describe('job counters', () => {
  it('counts requests by kind and encryption, with kinds outside the known list as other', async () => {
    const h = new MetricsHarness().feed(
      request({ kind: 5300, at: T0 }),
      request({ kind: 5300, at: T0, encryption: 'nip04' }),
      request({ kind: 5300, at: T0 }),
      request({ kind: 5204, at: T0 }),
    );
    expect(await h.value('dvm_job_requests_total', { kind: '5300', encrypted: 'false' })).toBe(2);
    expect(await h.value('dvm_job_requests_total', { kind: '5300', encrypted: 'true' })).toBe(1);
    expect(await h.value('dvm_job_requests_total', { kind: 'other', encrypted: 'false' })).toBe(1);
    expect(await h.labelValues('dvm_job_requests_total', 'kind')).toEqual(['5300', 'other']);
  });

  it('counts results by request kind and DVM, feedback by the kind of the request it points at', async () => {
    const req = request({ kind: 5002, at: T0 });
    const h = new MetricsHarness().feed(
      req,
      feedback({ dvm: A, requestId: req.event.id, at: T0 + 1, status: 'processing' }),
      result({ dvm: A, requestId: req.event.id, at: T0 + 3, requestKind: 5002, encryption: 'nip44' }),
      // Responses to a request never seen: feedback has no known kind, a result tells it (kind - 1000).
      feedback({ dvm: B, requestId: hex('unseen'), at: T0 + 2, status: 'encrypted', encryption: 'nip44' }),
      result({ dvm: B, requestId: hex('unseen-2'), at: T0 + 2, requestKind: 5100 }),
    );
    expect(await h.value('dvm_job_results_total', { kind: '5002', dvm: A, encrypted: 'true' })).toBe(1);
    expect(await h.value('dvm_job_results_total', { kind: '5100', dvm: B, encrypted: 'false' })).toBe(1);
    expect(await h.value('dvm_job_feedback_total', { kind: '5002', dvm: A, status: 'processing' })).toBe(1);
    expect(await h.value('dvm_job_feedback_total', { kind: 'unknown', dvm: B, status: 'encrypted' })).toBe(1);
  });

  it('counts a response without an e tag, which never joins a job', async () => {
    const h = new MetricsHarness().feed(
      feedback({ dvm: A, requestId: null, at: T0, status: 'error' }),
      result({ dvm: A, requestId: null, at: T0, requestKind: 5050 }),
    );
    expect(await h.value('dvm_job_feedback_total', { kind: 'unknown', dvm: A, status: 'error' })).toBe(1);
    expect(await h.value('dvm_job_results_total', { kind: '5050', dvm: A, encrypted: 'false' })).toBe(1);
  });

  it('counts jobs by outcome when they end', async () => {
    const done = request({ kind: 5300, at: T0 });
    const failed = request({ kind: 5300, at: T0 });
    const h = new MetricsHarness().feed(
      done,
      failed,
      request({ kind: 5300, at: T0 }),
      result({ dvm: A, requestId: done.event.id, at: T0 + 2, requestKind: 5300 }),
      feedback({ dvm: A, requestId: failed.event.id, at: T0 + 2, status: 'error' }),
    );
    // Success and error settle a window after the last response; the third job expires after an hour.
    h.at(200);
    expect(await h.value('dvm_jobs_ended_total', { kind: '5300', outcome: 'success' })).toBe(1);
    expect(await h.value('dvm_jobs_ended_total', { kind: '5300', outcome: 'error' })).toBe(1);
    expect(await h.value('dvm_jobs_ended_total', { kind: '5300', outcome: 'expired' })).toBeUndefined();
    h.at(3_601);
    expect(await h.value('dvm_jobs_ended_total', { kind: '5300', outcome: 'expired' })).toBe(1);
  });
});

describe('latency histograms', () => {
  it("observe each DVM's first result and first response once", async () => {
    const req = request({ kind: 5300, at: T0 });
    const id = req.event.id;
    const h = new MetricsHarness().feed(
      req,
      feedback({ dvm: A, requestId: id, at: T0 + 2, status: 'processing' }),
      result({ dvm: A, requestId: id, at: T0 + 7, requestKind: 5300 }),
      result({ dvm: A, requestId: id, at: T0 + 9, requestKind: 5300 }),
      result({ dvm: B, requestId: id, at: T0 + 30, requestKind: 5300 }),
    );
    const labelsA = { kind: '5300', dvm: A };
    expect(await h.value('dvm_job_duration_seconds_count', labelsA)).toBe(1);
    expect(await h.value('dvm_job_duration_seconds_sum', labelsA)).toBe(7);
    expect(await h.value('dvm_job_first_response_seconds_count', labelsA)).toBe(1);
    expect(await h.value('dvm_job_first_response_seconds_sum', labelsA)).toBe(2);
    expect(await h.value('dvm_job_duration_seconds_sum', { kind: '5300', dvm: B })).toBe(30);
    expect(await h.value('dvm_job_first_response_seconds_sum', { kind: '5300', dvm: B })).toBe(30);
    // Buckets from 1 s: 7 s falls in le=10, not in le=5.
    expect(await h.value('dvm_job_duration_seconds_bucket', { ...labelsA, le: '5' })).toBe(0);
    expect(await h.value('dvm_job_duration_seconds_bucket', { ...labelsA, le: '10' })).toBe(1);
    expect(await h.value('dvm_job_duration_seconds_bucket', { ...labelsA, le: '7200' })).toBe(1);
  });

  it('measure responses that arrived before their request once the request arrives', async () => {
    const req = request({ kind: 5300, at: T0 });
    const h = new MetricsHarness().feed(
      feedback({ dvm: A, requestId: req.event.id, at: T0 + 1, status: 'processing' }),
      result({ dvm: A, requestId: req.event.id, at: T0 + 5, requestKind: 5300 }),
    );
    expect(await h.value('dvm_job_duration_seconds_count', { kind: '5300', dvm: A })).toBeUndefined();
    h.feed(req);
    expect(await h.value('dvm_job_duration_seconds_sum', { kind: '5300', dvm: A })).toBe(5);
    expect(await h.value('dvm_job_first_response_seconds_sum', { kind: '5300', dvm: A })).toBe(1);
    // The feedback was counted when it arrived, before its request was known.
    expect(await h.value('dvm_job_feedback_total', { kind: 'unknown', dvm: A, status: 'processing' })).toBe(
      1,
    );
  });

  it('observe a response created before its request as 0 and count the skew', async () => {
    const req = request({ kind: 5300, at: T0 });
    const h = new MetricsHarness().feed(
      req,
      result({ dvm: A, requestId: req.event.id, at: T0 - 4, requestKind: 5300 }),
    );
    expect(await h.value('dvm_job_duration_seconds_sum', { kind: '5300', dvm: A })).toBe(0);
    expect(await h.value('dvm_job_duration_seconds_count', { kind: '5300', dvm: A })).toBe(1);
    // Duration and first response both came out negative.
    expect(await h.value('dvm_exporter_clock_skew_events_total')).toBe(2);
  });

  it('count a late result after the job expired, with its real duration', async () => {
    const req = request({ kind: 5300, at: T0 });
    const h = new MetricsHarness().feed(req).at(3_601);
    expect(await h.value('dvm_jobs_ended_total', { kind: '5300', outcome: 'expired' })).toBe(1);
    h.at(4_000).feed(result({ dvm: A, requestId: req.event.id, at: T0 + 4_000, requestKind: 5300 }));
    expect(await h.value('dvm_job_results_total', { kind: '5300', dvm: A, encrypted: 'false' })).toBe(1);
    expect(await h.value('dvm_job_duration_seconds_sum', { kind: '5300', dvm: A })).toBe(4_000);
    expect(await h.value('dvm_exporter_late_events_total', { role: 'result' })).toBe(1);
  });
});

describe('payments', () => {
  it('count the amount asked once per job and DVM, and the amount earned once, invoice first', async () => {
    const req = request({ kind: 5002, at: T0 });
    const id = req.event.id;
    const h = new MetricsHarness().feed(
      req,
      feedback({
        dvm: A,
        requestId: id,
        at: T0 + 1,
        status: 'payment-required',
        amount: amount(28_125, 25_000),
      }),
      feedback({ dvm: A, requestId: id, at: T0 + 2, status: 'payment-required', amount: amount(30_000) }),
    );
    const labels = { kind: '5002', dvm: A };
    expect(await h.value('dvm_payment_requested_millisats_total', labels)).toBe(25_000);
    expect(await h.value('dvm_payment_earned_millisats_total', labels)).toBeUndefined();
    h.feed(result({ dvm: A, requestId: id, at: T0 + 20, requestKind: 5002 }));
    h.feed(result({ dvm: A, requestId: id, at: T0 + 25, requestKind: 5002 }));
    expect(await h.value('dvm_payment_earned_millisats_total', labels)).toBe(25_000);
    expect(await h.value('dvm_payment_requested_millisats_total', labels)).toBe(25_000);
  });

  it('take the tag amount when there is no usable invoice', async () => {
    const req = request({ kind: 5002, at: T0 });
    const h = new MetricsHarness().feed(
      req,
      feedback({
        dvm: A,
        requestId: req.event.id,
        at: T0 + 1,
        status: 'payment-required',
        amount: amount(21_000),
      }),
      result({ dvm: A, requestId: req.event.id, at: T0 + 5, requestKind: 5002 }),
    );
    expect(await h.value('dvm_payment_earned_millisats_total', { kind: '5002', dvm: A })).toBe(21_000);
  });

  it('count a job ended with a payment asked for and no result, except when cancelled', async () => {
    const unpaid = request({ kind: 5050, at: T0 });
    const paid = request({ kind: 5050, at: T0 });
    const h = new MetricsHarness().feed(
      unpaid,
      paid,
      feedback({
        dvm: A,
        requestId: unpaid.event.id,
        at: T0 + 1,
        status: 'payment-required',
        amount: amount(5_000),
      }),
      feedback({
        dvm: B,
        requestId: paid.event.id,
        at: T0 + 1,
        status: 'payment-required',
        amount: amount(5_000),
      }),
      result({ dvm: B, requestId: paid.event.id, at: T0 + 9, requestKind: 5050 }),
    );
    h.at(3_700);
    expect(await h.value('dvm_job_payment_requests_unfulfilled_total', { kind: '5050', dvm: A })).toBe(1);
    expect(await h.value('dvm_job_payment_requests_unfulfilled_total', { kind: '5050', dvm: B })).toBe(0);
  });

  it('do not hold a cancelled job against the DVM that asked for payment', async () => {
    const req = request({ kind: 5050, at: T0 });
    const h = new MetricsHarness().feed(
      req,
      feedback({
        dvm: A,
        requestId: req.event.id,
        at: T0 + 1,
        status: 'payment-required',
        amount: amount(5_000),
      }),
      cancellation({ targetIds: [req.event.id], at: T0 + 30 }),
    );
    h.at(3_700);
    expect(await h.value('dvm_jobs_ended_total', { kind: '5050', outcome: 'cancelled' })).toBe(1);
    expect(await h.value('dvm_job_payment_requests_unfulfilled_total', { kind: '5050', dvm: A })).toBe(0);
  });
});
