import { describe, expect, it } from 'vitest';
import { JOB_LIMITS } from '../../exporter/jobs/job-index.js';
import { cancellation, feedback, hex, key, request, result, T0, zap } from '../support/dvm-events.js';
import { Harness } from './harness.js';

const [J1, J2, J3, J4] = [hex('j1'), hex('j2'), hex('j3'), hex('j4')];

describe('job index: eviction by cap', () => {
  it('evicts the least recently active job over the cap, counted and announced', () => {
    const h = new Harness({ maxJobs: 3 });
    h.apply(request({ id: J1 }), request({ id: J2 }), request({ id: J3 }));
    h.clock.advance(1);
    h.apply(feedback({ requestId: J1, status: 'processing' })).clear();
    h.apply(request({ id: J4 }));
    expect(h.events[0]).toEqual({ type: 'job_evicted', at: T0 + 1, jobId: J2, reason: 'cap', wasOpen: true });
    expect(h.index.get(J2)).toBeUndefined();
    expect(h.index.get(J1)).toBeDefined();
    expect(h.index.stats()).toMatchObject({
      jobsTracked: 3,
      jobsTotal: 4,
      openJobs: 3,
      evictions: { cap: 1, age: 0 },
    });
  });

  it('counts a placeholder evicted by the cap and treats its request arriving later as new', () => {
    const h = new Harness({ maxJobs: 1 });
    h.apply(result({ requestId: J1 }), request({ id: J2 }));
    expect(h.index.stats()).toMatchObject({ placeholders: 0, jobsTracked: 1, evictions: { cap: 1 } });
    h.clear().apply(result({ requestId: J1 }));
    expect(h.types()).toEqual(['job_evicted', 'orphan', 'job_result']);
  });

  it('frees the response ids of an evicted job, so a zap on its result no longer finds it', () => {
    const h = new Harness({ maxJobs: 1 });
    const res = result({ requestId: J1 });
    h.apply(request({ id: J1 }), res, request({ id: J2 })).clear();
    expect(h.index.stats().indexSizes.responseIds).toBe(0);
    h.apply(zap([res.event.id]));
    expect(h.of('zap')[0]).toMatchObject({ jobId: null, dvm: null });
  });
});

describe('job index: eviction by age', () => {
  const options = { horizonSeconds: 1000, expirySeconds: 100, settleWindowSeconds: 10 };

  it('forgets a finished job whose last activity is older than the horizon', () => {
    const h = new Harness(options);
    h.apply(request({ id: J1 }), request({ id: J2 }));
    h.clock.set(T0 + 500);
    h.apply(feedback({ requestId: J2, status: 'processing', at: T0 + 500 }));
    h.tickAt(1000);
    expect(h.types()).toEqual([
      'job_requested',
      'job_requested',
      'job_feedback',
      'job_expired',
      'job_expired',
    ]);
    h.clear().tickAt(1001);
    expect(h.events).toEqual([
      { type: 'job_evicted', at: T0 + 1001, jobId: J1, reason: 'age', wasOpen: false },
    ]);
    h.clear().tickAt(1501);
    expect(h.of('job_evicted').map((e) => e.jobId)).toEqual([J2]);
    expect(h.index.stats()).toMatchObject({ jobsTracked: 0, evictions: { cap: 0, age: 2 } });
  });

  it('announces an open job forgotten by age as open, when the horizon is shorter than expiry', () => {
    const h = new Harness({ horizonSeconds: 50, expirySeconds: 100 });
    h.apply(request({ id: J1 }));
    h.tickAt(51);
    expect(h.events.at(-1)).toMatchObject({ type: 'job_evicted', reason: 'age', wasOpen: true });
    expect(h.index.stats()).toMatchObject({ openJobs: 0, indexSizes: { deadlines: 0 } });
    h.clear().tickAt(200);
    expect(h.events).toEqual([]);
  });

  it('drops early cancellations older than the horizon', () => {
    const h = new Harness(options);
    h.apply(cancellation({ targetIds: [J1] }));
    h.tickAt(1001);
    expect(h.index.stats().indexSizes.pendingCancellations).toBe(0);
    expect(h.index.stats().overflow.cancellations).toBe(1);
    h.apply(request({ id: J1 }));
    expect(h.job(J1).outcome).toBeNull();
  });
});

describe('job index: bounded memory', () => {
  it('stays within its limits under a flood of 1e5 unrelated orphans of every kind', () => {
    const maxJobs = 1000;
    const h = new Harness({ maxJobs });
    const perKind = 25_000;
    const flood = (i: number) => `f${i.toString(16).padStart(63, '0')}`;
    let emitted = 0;
    for (let i = 0; i < perKind; i++) {
      h.index.apply(result({ requestId: flood(i) }));
      h.index.apply(cancellation({ targetIds: [flood(perKind + i)] }));
      h.index.apply(request({ id: flood(2 * perKind + i), jobInputs: [flood(3 * perKind + i)] }));
      h.index.apply(zap([flood(4 * perKind + i)]));
      if (i % 1000 === 0) h.index.tick();
      emitted += h.events.length;
      h.events.length = 0;
    }
    const stats = h.index.stats();
    expect(stats.jobsTracked).toBe(maxJobs);
    expect(stats.indexSizes.responseIds).toBeLessThanOrEqual(maxJobs);
    expect(stats.indexSizes.pendingChainParents).toBeLessThanOrEqual(maxJobs);
    expect(stats.indexSizes.pendingCancellations).toBeLessThanOrEqual(maxJobs);
    expect(stats.indexSizes.deadlines).toBeLessThanOrEqual(maxJobs);
    expect(stats.evictions.cap).toBe(2 * perKind - maxJobs);
    expect(stats.overflow.cancellations).toBe(perKind - maxJobs);
    expect(stats.orphans).toEqual({
      no_e_tag: 0,
      request_unseen: perKind,
      job_input_unseen: perKind,
      zap_target_unseen: perKind,
    });
    // Every event still reached the sinks: results, requests, zaps, their orphans and the evictions.
    expect(emitted).toBe(perKind * 6 + (2 * perKind - maxJobs));
  });

  it('caps what one job keeps, counts the overflow, and still emits every event', () => {
    const h = new Harness();
    const R = hex('busy');
    h.apply(request({ id: R }));
    for (let i = 0; i < 1000; i++)
      h.index.apply(feedback({ requestId: R, status: 'processing', at: T0 + i }));
    for (let i = 0; i < 100; i++) h.index.apply(result({ requestId: R, at: T0 + i }));
    for (let i = 0; i < 300; i++)
      h.index.apply(feedback({ requestId: R, dvm: key(`dvm-${i}`), status: 'error' }));
    const job = h.job(R);
    const a = job.responses.get(key('dvm-a'));
    expect(a?.feedback).toHaveLength(JOB_LIMITS.feedbackPerResponse);
    expect(a?.results).toHaveLength(JOB_LIMITS.resultsPerResponse);
    expect(a?.lastStatus).toBe('processing');
    expect(job.responses.size).toBe(JOB_LIMITS.responsesPerJob);
    const { overflow, indexSizes } = h.index.stats();
    expect(overflow).toMatchObject({
      feedback: 1000 - JOB_LIMITS.feedbackPerResponse,
      results: 100 - JOB_LIMITS.resultsPerResponse,
      responses: 300 - (JOB_LIMITS.responsesPerJob - 1),
    });
    expect(indexSizes.responseIds).toBe(
      JOB_LIMITS.feedbackPerResponse + JOB_LIMITS.resultsPerResponse + JOB_LIMITS.responsesPerJob - 1,
    );
    expect(h.of('job_feedback')).toHaveLength(1300);
    expect(h.of('job_result')).toHaveLength(100);
  });
});
