import { describe, expect, it } from 'vitest';
import { cancellation, feedback, hex, key, request, result, T0 } from '../support/dvm-events.js';
import { Harness } from './harness.js';

const REQ = hex('req-cancel');
const stranger = key('stranger');

describe('job index: cancellations', () => {
  it('cancels an open job when the request’s author sends a kind 5 naming it', () => {
    const h = new Harness();
    const cancel = cancellation({ targetIds: [REQ], at: T0 + 30 });
    h.apply(request({ id: REQ }), feedback({ requestId: REQ, status: 'processing' })).clear();
    h.apply(cancel);
    expect(h.types()).toEqual(['job_cancelled', 'job_settled']);
    expect(h.of('job_cancelled')[0]?.cancellation).toBe(cancel);
    expect(h.of('job_settled')[0]?.outcome).toBe('cancelled');
    expect(h.job(REQ)).toMatchObject({ outcome: 'cancelled', endedAt: T0 + 30, cancellation: cancel });
    expect(h.index.stats().openJobs).toBe(0);
  });

  it('rejects a cancellation from anyone but the request’s author and leaves the job open', () => {
    const h = new Harness();
    const cancel = cancellation({ targetIds: [REQ], author: stranger });
    h.apply(request({ id: REQ })).clear();
    h.apply(cancel);
    expect(h.events).toEqual([{ type: 'cancellation_rejected', at: T0, jobId: REQ, cancellation: cancel }]);
    expect(h.job(REQ)).toMatchObject({ outcome: null, cancellation: null });
  });

  it('holds a cancellation that arrives before its request and applies it when the request arrives', () => {
    const h = new Harness();
    h.apply(cancellation({ targetIds: [REQ], at: T0 + 2 }));
    expect(h.events).toEqual([]);
    expect(h.index.stats().indexSizes.pendingCancellations).toBe(1);
    h.apply(result({ requestId: REQ }), request({ id: REQ }));
    expect(h.types()).toEqual(['orphan', 'job_result', 'job_requested', 'job_cancelled', 'job_settled']);
    expect(h.job(REQ)).toMatchObject({ outcome: 'cancelled', endedAt: T0 + 2 });
    expect(h.index.stats().indexSizes.pendingCancellations).toBe(0);
  });

  it('rejects an early cancellation from a stranger once the request shows who its author is', () => {
    const h = new Harness();
    h.apply(cancellation({ targetIds: [REQ], author: stranger }), request({ id: REQ }));
    expect(h.types()).toEqual(['job_requested', 'cancellation_rejected']);
    expect(h.job(REQ).outcome).toBeNull();
  });

  it('applies early cancellations oldest first: the author’s counts, a stranger’s is rejected', () => {
    const h = new Harness();
    h.apply(
      cancellation({ targetIds: [REQ], author: stranger, at: T0 + 5 }),
      cancellation({ targetIds: [REQ], at: T0 + 1 }),
      request({ id: REQ }),
    );
    expect(h.types()).toEqual(['job_requested', 'job_cancelled', 'job_settled', 'cancellation_rejected']);
  });

  it('reports a cancellation of an already settled job as a late event and records it', () => {
    const h = new Harness({ settleWindowSeconds: 10 });
    const cancel = cancellation({ targetIds: [REQ], at: T0 + 50 });
    h.apply(request({ id: REQ }), result({ requestId: REQ }));
    h.tickAt(10).clear();
    h.apply(cancel);
    expect(h.events).toEqual([{ type: 'late_event', at: T0 + 10, job: h.job(REQ), event: cancel }]);
    expect(h.job(REQ)).toMatchObject({ outcome: 'success', cancellation: cancel });
  });

  it('treats responses after a cancellation as late events', () => {
    const h = new Harness();
    h.apply(request({ id: REQ }), cancellation({ targetIds: [REQ] })).clear();
    h.apply(result({ requestId: REQ }));
    expect(h.types()).toEqual(['late_event']);
  });

  it('cancels every request a kind 5 names, and ignores a kind 5 deleting a job’s result', () => {
    const h = new Harness();
    const other = hex('req-other');
    const res = result({ requestId: REQ });
    h.apply(request({ id: REQ }), request({ id: other }), res).clear();
    h.apply(cancellation({ targetIds: [REQ, other, res.event.id] }));
    expect(h.of('job_cancelled').map((e) => e.job.id)).toEqual([REQ, other]);
    expect(h.index.stats().indexSizes.pendingCancellations).toBe(0);
  });
});
