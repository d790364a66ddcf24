import { describe, expect, it } from 'vitest';
import { cancellation, feedback, hex, key, request, result, T0 } from '../support/dvm-events.js';
import { Harness } from './harness.js';

const REQ = hex('req-settle');
const A = key('dvm-a');
const B = key('dvm-b');
const windows = { settleWindowSeconds: 120, expirySeconds: 3600 };

describe('job index: settling after the first result', () => {
  it('settles as success one settle window after the first result, ending at the newest response', () => {
    const h = new Harness(windows);
    h.apply(request({ id: REQ, at: T0 }));
    h.clock.set(T0 + 10);
    h.apply(result({ requestId: REQ, dvm: A, at: T0 + 10 }));
    h.clock.set(T0 + 50);
    h.apply(feedback({ requestId: REQ, dvm: B, status: 'processing', at: T0 + 50 }));
    h.tickAt(129);
    expect(h.of('job_settled')).toEqual([]);
    h.tickAt(130);
    expect(h.of('job_settled')).toMatchObject([{ outcome: 'success', at: T0 + 130 }]);
    expect(h.job(REQ)).toMatchObject({ outcome: 'success', endedAt: T0 + 50 });
    expect(h.index.stats().openJobs).toBe(0);
  });

  it('reports responses after settlement as late events, still recorded on the job', () => {
    const h = new Harness(windows);
    h.apply(request({ id: REQ }), result({ requestId: REQ, dvm: A }));
    h.tickAt(120).clear();
    const lateResult = result({ requestId: REQ, dvm: B, at: T0 + 200 });
    const lateFeedback = feedback({ requestId: REQ, dvm: A, status: 'success', at: T0 + 201 });
    h.apply(lateResult, lateFeedback);
    expect(h.events.map((e) => (e.type === 'late_event' ? e.event : e.type))).toEqual([
      lateResult,
      lateFeedback,
    ]);
    const job = h.job(REQ);
    expect(job.responses.get(B)?.results).toEqual([lateResult]);
    expect(job.responses.get(A)?.lastStatus).toBe('success');
    expect(job).toMatchObject({ outcome: 'success', endedAt: T0 });
    expect(h.index.stats().lateEvents).toBe(2);
  });

  it('does not move the settle deadline when more results arrive inside the window', () => {
    const h = new Harness(windows);
    h.apply(request({ id: REQ }), result({ requestId: REQ, dvm: A, at: T0 }));
    h.clock.set(T0 + 100);
    h.apply(result({ requestId: REQ, dvm: B, at: T0 + 100 }));
    h.tickAt(120);
    expect(h.job(REQ)).toMatchObject({ outcome: 'success', endedAt: T0 + 100 });
  });
});

describe('job index: error outcome', () => {
  it('settles as error a settle window after the last error when every DVM that answered failed', () => {
    const h = new Harness(windows);
    h.apply(request({ id: REQ }));
    h.clock.set(T0 + 5);
    h.apply(feedback({ requestId: REQ, dvm: A, status: 'error', at: T0 + 5 }));
    h.clock.set(T0 + 30);
    h.apply(feedback({ requestId: REQ, dvm: B, status: 'error', at: T0 + 30 }));
    h.tickAt(149);
    expect(h.job(REQ).outcome).toBeNull();
    h.tickAt(150);
    expect(h.of('job_settled')).toMatchObject([{ outcome: 'error' }]);
    expect(h.job(REQ).endedAt).toBe(T0 + 30);
  });

  it('does not fail a job while another DVM is still working on it', () => {
    const h = new Harness(windows);
    h.apply(
      request({ id: REQ }),
      feedback({ requestId: REQ, dvm: A, status: 'error', at: T0 + 1 }),
      feedback({ requestId: REQ, dvm: B, status: 'processing', at: T0 + 2 }),
    );
    h.tickAt(1000);
    expect(h.job(REQ).outcome).toBeNull();
    h.clock.set(T0 + 1500);
    h.apply(feedback({ requestId: REQ, dvm: B, status: 'error', at: T0 + 1500 }));
    h.tickAt(1619);
    expect(h.job(REQ).outcome).toBeNull();
    h.tickAt(1620);
    expect(h.job(REQ)).toMatchObject({ outcome: 'error', endedAt: T0 + 1500 });
  });

  it('settles as success when a result arrives inside the window after an error', () => {
    const h = new Harness(windows);
    h.apply(request({ id: REQ }), feedback({ requestId: REQ, dvm: A, status: 'error' }));
    h.clock.set(T0 + 60);
    h.apply(result({ requestId: REQ, dvm: B, at: T0 + 60 }));
    h.tickAt(120);
    expect(h.job(REQ).outcome).toBeNull();
    h.tickAt(180);
    expect(h.job(REQ).outcome).toBe('success');
  });

  it('keeps a DVM failing when an older processing feedback arrives after its error', () => {
    const h = new Harness(windows);
    h.apply(
      request({ id: REQ }),
      feedback({ requestId: REQ, dvm: A, status: 'error', at: T0 + 10 }),
      feedback({ requestId: REQ, dvm: A, status: 'processing', at: T0 + 2 }),
    );
    h.tickAt(130);
    expect(h.job(REQ).outcome).toBe('error');
  });

  it('un-fails a DVM that sends newer progress after an error', () => {
    const h = new Harness(windows);
    h.apply(request({ id: REQ }), feedback({ requestId: REQ, dvm: A, status: 'error', at: T0 }));
    h.clock.set(T0 + 10);
    h.apply(feedback({ requestId: REQ, dvm: A, status: 'processing', at: T0 + 10 }));
    h.tickAt(500);
    expect(h.job(REQ).outcome).toBeNull();
  });
});

describe('job index: expiry', () => {
  it('expires an open job with no result expirySeconds after its created_at', () => {
    const h = new Harness(windows);
    h.apply(request({ id: REQ, at: T0 }), feedback({ requestId: REQ, dvm: A, status: 'processing' }));
    h.tickAt(3599);
    expect(h.of('job_expired')).toEqual([]);
    h.tickAt(3600);
    expect(h.of('job_expired')).toMatchObject([{ at: T0 + 3600 }]);
    expect(h.job(REQ)).toMatchObject({ outcome: 'expired', endedAt: T0 + 3600 });
  });

  it('gives a backfilled job a full window of clock time, so its result delivered later still counts', () => {
    const h = new Harness(windows, T0 + 86_400);
    h.apply(request({ id: REQ, at: T0 }));
    h.tickAt(86_400 + 5);
    expect(h.job(REQ).outcome).toBeNull();
    h.clock.set(T0 + 86_410);
    h.apply(result({ requestId: REQ, dvm: A, at: T0 + 40 }));
    expect(h.of('job_result')).toHaveLength(1);
    h.tickAt(86_410 + 119);
    expect(h.job(REQ).outcome).toBeNull();
    h.tickAt(86_410 + 120);
    expect(h.job(REQ)).toMatchObject({ outcome: 'success', endedAt: T0 + 40 });
  });

  it('expires a backfilled job with no result an expiry window after it was first seen', () => {
    const h = new Harness(windows, T0 + 86_400);
    h.apply(request({ id: REQ, at: T0 }));
    h.tickAt(86_400 + 3599);
    expect(h.job(REQ).outcome).toBeNull();
    h.tickAt(86_400 + 3600);
    expect(h.job(REQ)).toMatchObject({ outcome: 'expired', endedAt: T0 + 3600 });
  });

  it('reports feedback for an expired job as a late event', () => {
    const h = new Harness(windows);
    h.apply(request({ id: REQ }));
    h.tickAt(4000).clear();
    h.apply(feedback({ requestId: REQ, dvm: A, status: 'processing', at: T0 + 3900 }));
    expect(h.types()).toEqual(['late_event']);
    expect(h.job(REQ).responses.get(A)?.feedback).toHaveLength(1);
  });
});

describe('job index: drain', () => {
  it('settles or expires every open job by its own rule, in deadline order, without moving the clock', () => {
    const h = new Harness(windows);
    const ok = hex('ok');
    const failed = hex('failed');
    const silent = hex('silent');
    const cancelled = hex('cancelled');
    h.apply(
      request({ id: silent, at: T0 - 100 }),
      request({ id: ok }),
      result({ requestId: ok, at: T0 + 7 }),
      request({ id: failed }),
      feedback({ requestId: failed, status: 'error', at: T0 + 3 }),
      request({ id: cancelled }),
      cancellation({ targetIds: [cancelled], at: T0 + 4 }),
    ).clear();
    h.index.drain();
    expect(
      h.events.map((e) => [e.type, 'job' in e ? e.job.id : null, 'outcome' in e ? e.outcome : null]),
    ).toEqual([
      ['job_settled', failed, 'error'], // deadline T0 + 3 + 120
      ['job_settled', ok, 'success'], // deadline T0 + 7 + 120
      ['job_expired', silent, null],
    ]);
    expect(h.events.every((e) => e.at === T0)).toBe(true);
    expect(h.job(ok).endedAt).toBe(T0 + 7);
    expect(h.job(failed).endedAt).toBe(T0 + 3);
    expect(h.job(silent).endedAt).toBe(T0 - 100 + 3600);
    expect(h.job(cancelled).endedAt).toBe(T0 + 4);
    expect(h.index.stats()).toMatchObject({ openJobs: 0, jobsTracked: 4 });
  });
});
