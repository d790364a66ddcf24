import { describe, expect, it } from 'vitest';
import {
  announcement,
  feedback,
  heartbeat,
  hex,
  key,
  recommendation,
  request,
  result,
  T0,
  zap,
} from '../support/dvm-events.js';
import { Harness } from './harness.js';

const REQ = hex('req-1');
const A = key('dvm-a');
const B = key('dvm-b');

describe('job index: requests, feedback and results', () => {
  it('folds one DVM answering a request into one job, stamping every event with the clock', () => {
    const h = new Harness();
    h.apply(request({ id: REQ, kind: 5100, at: T0 - 5 }));
    h.clock.advance(3);
    h.apply(feedback({ requestId: REQ, dvm: A, status: 'processing', at: T0 + 1 }));
    h.clock.advance(4);
    h.apply(result({ requestId: REQ, dvm: A, requestKind: 5100, at: T0 + 6 }));

    expect(h.types()).toEqual(['job_requested', 'job_feedback', 'job_result']);
    expect(h.events.map((e) => e.at)).toEqual([T0, T0 + 3, T0 + 7]);
    const [fb] = h.of('job_feedback');
    const [res] = h.of('job_result');
    expect(fb?.firstResponse).toBe(true);
    expect(res).toMatchObject({ firstResponse: false, firstResult: true });

    const job = h.job(REQ);
    expect(job).toMatchObject({ kind: 5100, createdAt: T0 - 5, customer: key('customer'), rootId: REQ });
    expect(job.outcome).toBeNull();
    const response = job.responses.get(A);
    expect(response).toMatchObject({
      dvm: A,
      firstFeedbackAt: T0 + 1,
      firstResultAt: T0 + 6,
      firstResponseAt: T0 + 1,
      lastStatus: 'processing',
    });
    expect(response?.results).toHaveLength(1);
  });

  it('keeps one response per DVM when several DVMs answer the same request', () => {
    const h = new Harness();
    h.apply(
      request({ id: REQ }),
      result({ requestId: REQ, dvm: A, at: T0 + 2 }),
      feedback({ requestId: REQ, dvm: B, status: 'processing', at: T0 + 3 }),
      result({ requestId: REQ, dvm: B, at: T0 + 9 }),
      result({ requestId: REQ, dvm: A, at: T0 + 10 }),
    );
    const job = h.job(REQ);
    expect([...job.responses.keys()].sort()).toEqual([A, B].sort());
    expect(job.responses.get(A)?.results).toHaveLength(2);
    expect(job.responses.get(A)?.lastStatus).toBe('success');
    const flags = h.of('job_result').map((e) => [e.response.dvm, e.firstResult, e.firstResponse]);
    expect(flags).toEqual([
      [A, true, true],
      [B, true, false],
      [A, false, false],
    ]);
  });

  it('orders a response’s events by created_at whatever the arrival order', () => {
    const h = new Harness();
    const late = feedback({ requestId: REQ, status: 'success', at: T0 + 9 });
    const early = feedback({ requestId: REQ, status: 'processing', at: T0 + 1 });
    h.apply(request({ id: REQ }), late, early);
    const response = h.job(REQ).responses.get(A);
    expect(response?.feedback.map((f) => f.event.id)).toEqual([early.event.id, late.event.id]);
    expect(response?.lastStatus).toBe('success');
    expect(response?.firstFeedbackAt).toBe(T0 + 1);
  });

  it('ignores a second copy of the same request, feedback or result', () => {
    const h = new Harness();
    const req = request({ id: REQ });
    const fb = feedback({ requestId: REQ, status: 'processing' });
    const res = result({ requestId: REQ });
    h.apply(req, fb, res, req, fb, res);
    expect(h.types()).toEqual(['job_requested', 'job_feedback', 'job_result']);
    expect(h.job(REQ).responses.get(A)?.feedback).toHaveLength(1);
  });

  it('gives a placeholder the kind of a later result when its first response was feedback', () => {
    const h = new Harness();
    const id = hex('kind-from-result');
    h.apply(feedback({ requestId: id, status: 'processing' }), result({ requestId: id, requestKind: 5300 }));
    expect(h.job(id).kind).toBe(5300);
    h.apply(result({ requestId: id, requestKind: 5100, dvm: key('dvm-b') }));
    expect(h.job(id).kind).toBe(5100);
  });

  it('counts a result or feedback without an e tag as an orphan and does nothing else', () => {
    const h = new Harness();
    const res = result({ requestId: null });
    h.apply(res, feedback({ requestId: null, status: 'error' }));
    expect(h.types()).toEqual(['orphan', 'orphan']);
    expect(h.of('orphan')[0]).toMatchObject({ reason: 'no_e_tag', event: res });
    const stats = h.index.stats();
    expect(stats.orphans.no_e_tag).toBe(2);
    expect(stats.jobsTracked).toBe(0);
  });

  it('reports a result whose kind is not the request kind + 1000, and still links it', () => {
    const h = new Harness();
    const res = result({ requestId: REQ, requestKind: 5001 });
    h.apply(request({ id: REQ, kind: 5000 }), res);
    expect(h.types()).toEqual(['job_requested', 'job_result', 'kind_mismatch']);
    expect(h.of('kind_mismatch')[0]?.result).toBe(res);
    expect(h.job(REQ).responses.get(A)?.results).toEqual([res]);
    expect(h.index.stats().kindMismatches).toBe(1);
  });

  it('marks a job encrypted from its request', () => {
    const h = new Harness();
    h.apply(request({ id: REQ, encryption: 'nip44' }));
    expect(h.job(REQ).encrypted).toBe(true);
  });

  it('forwards announcements, recommendations and heartbeats unchanged', () => {
    const h = new Harness();
    const ann = announcement();
    const rec = recommendation();
    const beat = heartbeat();
    h.apply(ann, rec, beat);
    expect(h.events).toEqual([
      { type: 'dvm_announced', at: T0, announcement: ann },
      { type: 'dvm_recommended', at: T0, recommendation: rec },
      { type: 'heartbeat', at: T0, heartbeat: beat },
    ]);
  });

  it('reports open jobs with a known request in flight, by kind, with the oldest created_at', () => {
    const h = new Harness();
    h.apply(
      request({ id: hex('x1'), kind: 5100, at: T0 - 50 }),
      request({ id: hex('x2'), kind: 5100, at: T0 - 80 }),
      request({ id: hex('x3'), kind: 5300, at: T0 - 10 }),
      result({ requestId: hex('unseen') }),
    );
    const { inFlight, openJobs, placeholders } = h.index.stats();
    expect(openJobs).toBe(4);
    expect(placeholders).toBe(1);
    expect(Object.fromEntries(inFlight)).toEqual({
      5100: { count: 2, oldestCreatedAt: T0 - 80 },
      5300: { count: 1, oldestCreatedAt: T0 - 10 },
    });
  });
});

describe('job index: zap receipts', () => {
  it('attributes a zap on a result or feedback to its job and DVM', () => {
    const h = new Harness();
    const fb = feedback({ requestId: REQ, dvm: B, status: 'payment-required' });
    const res = result({ requestId: REQ, dvm: A });
    h.apply(request({ id: REQ }), fb, res).clear();
    h.apply(zap([hex('something-else'), res.event.id]), zap([fb.event.id]));
    expect(h.of('zap').map((e) => [e.jobId, e.dvm])).toEqual([
      [REQ, A],
      [REQ, B],
    ]);
    expect(h.of('orphan')).toEqual([]);
  });

  it('emits a zap with no job and a zap_target_unseen orphan when the target is unknown', () => {
    const h = new Harness();
    const receipt = zap([hex('nowhere')]);
    h.apply(receipt);
    expect(h.events).toEqual([
      { type: 'zap', at: T0, zap: receipt, jobId: null, dvm: null },
      { type: 'orphan', at: T0, event: receipt, reason: 'zap_target_unseen' },
    ]);
    expect(h.index.stats().orphans.zap_target_unseen).toBe(1);
  });
});
