import { describe, expect, it } from 'vitest';
import type { DvmEvidence } from '../../exporter/sinks/metrics/dvm-labels.js';
import { dvmState, PendingAnswers } from '../../exporter/sinks/metrics/liveness.js';
import { announcement, feedback, heartbeat, key, request, result, T0 } from '../support/dvm-events.js';
import { MetricsHarness } from './harness.js';

const A = key('dvm-a');
const OPTIONS = { heartbeatTimeoutSeconds: 900, silentSeconds: 3_600 };

function evidence(parts: Partial<DvmEvidence>): DvmEvidence {
  return {
    lastActivityAt: 0,
    lastSeenAt: null,
    lastResultAt: null,
    lastHeartbeatAt: null,
    lastUnansweredAt: null,
    ...parts,
  };
}

describe('dvmState', () => {
  const now = T0 + 10_000;
  it('treats a beat of exactly 900 s as alive and 901 s as gone (Amethyst)', () => {
    expect(dvmState(evidence({ lastHeartbeatAt: now - 900 }), now, OPTIONS)).toBe('alive');
    expect(dvmState(evidence({ lastHeartbeatAt: now - 901 }), now, OPTIONS)).toBe('dead');
  });
  it('keeps a DVM whose beats stopped but which still answers alive', () => {
    expect(dvmState(evidence({ lastHeartbeatAt: now - 5_000, lastSeenAt: now - 60 }), now, OPTIONS)).toBe(
      'alive',
    );
  });
  it('calls a DVM beating but not answering degraded, and one not answering without beats dead', () => {
    const unanswered = { lastUnansweredAt: now - 700, lastSeenAt: now - 2_000 };
    expect(dvmState(evidence({ ...unanswered, lastHeartbeatAt: now - 100 }), now, OPTIONS)).toBe('degraded');
    expect(dvmState(evidence(unanswered), now, OPTIONS)).toBe('dead');
  });
  it('forgives an unanswered request once the DVM answers anything later', () => {
    expect(dvmState(evidence({ lastUnansweredAt: now - 700, lastSeenAt: now - 10 }), now, OPTIONS)).toBe(
      'alive',
    );
  });
  it('does not call an idle DVM down', () => {
    expect(dvmState(evidence({ lastSeenAt: now - 86_400 }), now, OPTIONS)).toBe('silent');
    expect(dvmState(evidence({}), now, OPTIONS)).toBe('zombie');
  });
});

describe('PendingAnswers', () => {
  it('drops the oldest job past capacity and counts it', () => {
    const pending = new PendingAnswers(2);
    for (const jobId of ['j1', 'j2', 'j3'])
      pending.add({ jobId, dvm: A, kind: '5300', requestAt: T0, deadline: T0 });
    expect(pending.size).toBe(2);
    expect(pending.dropped).toBe(1);
    expect(pending.takeDue(T0).map((e) => e.jobId)).toEqual(['j2', 'j3']);
    expect(pending.size).toBe(0);
  });

  it('keeps an entry added to the job it drops to make room', () => {
    const pending = new PendingAnswers(1);
    pending.add({ jobId: 'j1', dvm: A, kind: '5300', requestAt: T0, deadline: T0 });
    pending.add({ jobId: 'j1', dvm: 'other', kind: '5300', requestAt: T0, deadline: T0 });
    expect(pending.size).toBe(1);
    expect(pending.dropped).toBe(1);
    expect(pending.takeDue(T0).map((e) => e.dvm)).toEqual(['other']);
  });

  it('answers one DVM of a job and leaves the others waiting, in order', () => {
    const pending = new PendingAnswers(10);
    for (const dvm of ['d1', 'd2', 'd3'])
      pending.add({ jobId: 'j1', dvm, kind: '5300', requestAt: T0, deadline: T0 });
    pending.add({ jobId: 'j1', dvm: 'd2', kind: '5300', requestAt: T0, deadline: T0 });
    pending.answer('j1', 'd2');
    pending.answer('j1', 'nobody');
    expect(pending.size).toBe(2);
    expect(pending.takeJob('j1').map((e) => e.dvm)).toEqual(['d1', 'd3']);
    expect(pending.size).toBe(0);
  });
});

describe('liveness from evidence', () => {
  it('counts a request addressed to a DVM and left unanswered past the timeout, and marks it down', async () => {
    const h = new MetricsHarness({ metrics: { answerTimeoutSeconds: 600 } });
    h.feed(announcement(A, 'Feeds', T0 - 60), request({ kind: 5300, at: T0, targets: [A] }));
    const labels = { kind: '5300', dvm: A };
    expect(await h.value('dvm_job_requests_targeted_total', labels)).toBe(1);
    // A zero sample before the first miss gives increase() its baseline.
    expect(await h.value('dvm_job_requests_unanswered_total', labels)).toBe(0);

    h.at(599);
    await h.scrape();
    expect(await h.value('dvm_job_requests_unanswered_total', labels)).toBe(0);
    expect(await h.value('dvm_up', { dvm: A })).toBe(1);

    h.at(600);
    await h.scrape();
    expect(await h.value('dvm_job_requests_unanswered_total', labels)).toBe(1);
    expect(await h.value('dvm_up', { dvm: A })).toBe(0);
    expect(await h.value('dvm_state', { dvm: A, state: 'dead' })).toBe(1);
    expect(await h.value('dvm_state', { dvm: A, state: 'alive' })).toBe(0);
  });

  it('does not count a request the DVM answered, even with only feedback, even before the request arrived', async () => {
    const answered = request({ kind: 5300, at: T0, targets: [A] });
    const early = request({ kind: 5300, at: T0, targets: [A] });
    const h = new MetricsHarness();
    h.feed(
      announcement(A, 'Feeds', T0 - 60),
      answered,
      feedback({ dvm: A, requestId: answered.event.id, at: T0 + 3, status: 'payment-required' }),
      result({ dvm: A, requestId: early.event.id, at: T0 + 2, requestKind: 5300 }),
      early,
    );
    h.at(5_000);
    await h.scrape();
    expect(await h.value('dvm_job_requests_targeted_total', { kind: '5300', dvm: A })).toBe(2);
    expect(await h.value('dvm_job_requests_unanswered_total', { kind: '5300', dvm: A })).toBe(0);
    expect(await h.value('dvm_up', { dvm: A })).toBe(1);
  });

  it('counts an addressed DVM that never answered when another DVM did and the job left the index', async () => {
    const B = key('dvm-b');
    const job = request({ kind: 5300, at: T0, targets: [A, B] });
    // Replay: deadlines are looked at only at the scrape, and the job is evicted long before it.
    const h = new MetricsHarness({ mode: 'replay', jobs: { horizonSeconds: 1_000 } });
    h.feed(
      announcement(A, 'Feeds', T0 - 60),
      announcement(B, 'Other feeds', T0 - 60),
      job,
      result({ dvm: B, requestId: job.event.id, at: T0 + 5, requestKind: 5300 }),
      request({ kind: 5300, at: T0 + 5_000 }),
    );
    h.at(0);
    expect(h.index.get(job.event.id)).toBeUndefined();
    await h.scrape();
    expect(await h.value('dvm_job_requests_unanswered_total', { kind: '5300', dvm: A })).toBe(1);
    expect(await h.value('dvm_job_requests_unanswered_total', { kind: '5300', dvm: B })).toBe(0);
  });

  it('keeps pubkeys never seen acting as a DVM out of the dvm label', async () => {
    const stranger = key('not-a-dvm');
    const h = new MetricsHarness();
    h.feed(request({ kind: 5300, at: T0, targets: [stranger] }));
    h.at(700);
    const scrape = await h.scrape();
    expect(await h.value('dvm_job_requests_targeted_total', { kind: '5300', dvm: '__unknown__' })).toBe(1);
    expect(await h.value('dvm_job_requests_unanswered_total', { kind: '5300', dvm: '__unknown__' })).toBe(1);
    expect(scrape).not.toContain(stranger);
  });

  it('calls a DVM that beats but leaves addressed jobs unanswered degraded', async () => {
    const h = new MetricsHarness();
    h.feed(heartbeat(A, T0), request({ kind: 5300, at: T0, targets: [A] }));
    h.at(650).feed(heartbeat(A, T0 + 650));
    await h.scrape();
    expect(await h.value('dvm_state', { dvm: A, state: 'degraded' })).toBe(1);
    expect(await h.value('dvm_up', { dvm: A })).toBe(0);
    expect(await h.value('dvm_last_heartbeat_timestamp_seconds', { dvm: A })).toBe(T0 + 650);
  });

  it('calls a DVM whose heartbeats stopped dead after 900 s, and an idle one silent but up', async () => {
    const B = key('dvm-b');
    const h = new MetricsHarness();
    h.feed(heartbeat(A, T0), result({ dvm: B, requestId: null, at: T0, requestKind: 5300 }));
    h.at(900);
    await h.scrape();
    expect(await h.value('dvm_up', { dvm: A })).toBe(1);
    h.at(901);
    await h.scrape();
    expect(await h.value('dvm_up', { dvm: A })).toBe(0);
    expect(await h.value('dvm_state', { dvm: A, state: 'dead' })).toBe(1);
    h.at(4_000);
    await h.scrape();
    expect(await h.value('dvm_state', { dvm: B, state: 'silent' })).toBe(1);
    expect(await h.value('dvm_up', { dvm: B })).toBe(1);
  });

  it('counts an expired job as unanswered by whoever it addressed, before the answer timeout', async () => {
    const h = new MetricsHarness({ metrics: { answerTimeoutSeconds: 7_200 } });
    h.feed(announcement(A, 'Feeds', T0), request({ kind: 5300, at: T0, targets: [A] }));
    h.at(3_601);
    await h.scrape();
    expect(await h.value('dvm_job_requests_unanswered_total', { kind: '5300', dvm: A })).toBe(1);
  });

  it('shows jobs a DVM is working on without a result, and how long the oldest has waited', async () => {
    const first = request({ kind: 5300, at: T0 });
    const second = request({ kind: 5300, at: T0 + 50 });
    const h = new MetricsHarness();
    h.feed(
      first,
      second,
      feedback({ dvm: A, requestId: first.event.id, at: T0 + 1, status: 'processing' }),
      feedback({ dvm: A, requestId: second.event.id, at: T0 + 51, status: 'partial' }),
    );
    h.at(100);
    await h.scrape();
    expect(await h.value('dvm_jobs_in_progress', { dvm: A })).toBe(2);
    expect(await h.value('dvm_oldest_in_progress_job_age_seconds', { dvm: A })).toBe(99);
    h.feed(result({ dvm: A, requestId: first.event.id, at: T0 + 100, requestKind: 5300 }));
    await h.scrape();
    expect(await h.value('dvm_jobs_in_progress', { dvm: A })).toBe(1);
    expect(await h.value('dvm_oldest_in_progress_job_age_seconds', { dvm: A })).toBe(49);
    h.feed(feedback({ dvm: A, requestId: second.event.id, at: T0 + 101, status: 'error' }));
    await h.scrape();
    expect(await h.value('dvm_jobs_in_progress', { dvm: A })).toBe(0);
    expect(await h.value('dvm_oldest_in_progress_job_age_seconds', { dvm: A })).toBeUndefined();
  });
});
