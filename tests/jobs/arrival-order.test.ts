import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DomainEvent, JobSnapshot } from '../../exporter/jobs/domain-events.js';
import type { DvmEvent, FeedbackStatus } from '../../exporter/model/dvm-event.js';
import { amount, cancellation, feedback, hex, key, request, result, T0 } from '../support/dvm-events.js';
import { Harness } from './harness.js';

const REQ = hex('req-order');
const PARENT = hex('req-parent');
const A = key('dvm-a');

describe('job index: responses before their request', () => {
  it('builds a placeholder from an early result, reports the unseen request once, and merges', () => {
    const h = new Harness();
    const first = result({ requestId: REQ, requestKind: 5300, customer: key('someone') });
    h.apply(first, feedback({ requestId: REQ, dvm: key('dvm-b'), status: 'processing' }));
    expect(h.of('orphan')).toEqual([{ type: 'orphan', at: T0, event: first, reason: 'request_unseen' }]);
    expect(h.job(REQ)).toMatchObject({
      kind: 5300,
      request: null,
      customer: key('someone'),
      createdAt: null,
    });
    expect(h.index.stats()).toMatchObject({ placeholders: 1, jobsTotal: 1 });

    h.clear().apply(request({ id: REQ, kind: 5300, at: T0 - 4 }));
    expect(h.types()).toEqual(['job_requested']);
    expect(h.job(REQ)).toMatchObject({ kind: 5300, customer: key('customer'), createdAt: T0 - 4 });
    expect(h.job(REQ).responses.size).toBe(2);
    expect(h.index.stats()).toMatchObject({ placeholders: 0, jobsTotal: 1, jobsTracked: 1 });
    expect(h.index.stats().orphans.request_unseen).toBe(1);
  });

  it('leaves the kind unknown for a placeholder built from feedback alone', () => {
    const h = new Harness();
    h.apply(feedback({ requestId: REQ, status: 'processing' }));
    expect(h.job(REQ).kind).toBeNull();
  });

  it('reports a kind mismatch when the request arrives after the result', () => {
    const h = new Harness();
    h.apply(result({ requestId: REQ, requestKind: 5001 }), request({ id: REQ, kind: 5000 }));
    expect(h.types()).toEqual(['orphan', 'job_result', 'job_requested', 'kind_mismatch']);
    expect(h.job(REQ).kind).toBe(5000);
  });
});

type Step = { dvm: number; what: FeedbackStatus | 'result'; at: number; wrongKind: boolean };
const stepArb: fc.Arbitrary<Step> = fc.record({
  dvm: fc.integer({ min: 0, max: 2 }),
  what: fc.constantFrom<FeedbackStatus | 'result'>(
    'processing',
    'error',
    'partial',
    'payment-required',
    'result',
  ),
  at: fc.integer({ min: -5, max: 40 }),
  wrongKind: fc.boolean(),
});
const scenarioArb = fc.record({
  withParent: fc.boolean(),
  parentAnswered: fc.boolean(),
  encrypted: fc.boolean(),
  cancel: fc.constantFrom('none', 'author', 'stranger'),
  steps: fc.array(stepArb, { maxLength: 9 }),
  prices: fc.array(fc.tuple(fc.integer({ min: 0, max: 1e6 }), fc.option(fc.integer({ min: 0, max: 1e6 }))), {
    minLength: 3,
    maxLength: 3,
  }),
});
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer S> ? S : never;

/** The events of one job (and optionally the job it builds on), in a natural order. */
function eventsOf(s: Scenario): DvmEvent[] {
  const dvms = [A, key('dvm-b'), key('dvm-c')];
  const asked = new Set<number>();
  const events: DvmEvent[] = [];
  if (s.withParent) {
    events.push(request({ id: PARENT, at: T0 - 100 }));
    if (s.parentAnswered) events.push(result({ requestId: PARENT, at: T0 - 50 }));
  }
  const jobInputs = s.withParent ? [PARENT] : [];
  events.push(request({ id: REQ, at: T0, jobInputs, encryption: s.encrypted ? 'nip44' : 'none' }));
  for (const step of s.steps) {
    const dvm = dvms[step.dvm]!;
    const at = T0 + step.at;
    if (step.what === 'result') {
      events.push(result({ requestId: REQ, dvm, at, requestKind: step.wrongKind ? 5001 : 5000 }));
    } else if (step.what === 'payment-required' && !asked.has(step.dvm)) {
      // One payment request per DVM: with several, which one is credited depends on which qualified first.
      asked.add(step.dvm);
      const [tag, invoice] = s.prices[step.dvm]!;
      events.push(
        feedback({ requestId: REQ, dvm, at, status: 'payment-required', amount: amount(tag, invoice) }),
      );
    } else {
      events.push(
        feedback({
          requestId: REQ,
          dvm,
          at,
          status: step.what === 'payment-required' ? 'processing' : step.what,
        }),
      );
    }
  }
  if (s.cancel !== 'none') {
    events.push(
      cancellation({ targetIds: [REQ], at: T0 + 20, author: s.cancel === 'author' ? undefined : key('x') }),
    );
  }
  return events;
}

/** A job snapshot as plain data, with responses in DVM order. */
function describeJob(job: JobSnapshot | undefined) {
  if (!job) return undefined;
  const responses = [...job.responses.values()]
    .sort((a, b) => a.dvm.localeCompare(b.dvm))
    .map((r) => ({
      dvm: r.dvm,
      feedback: r.feedback.map((f) => f.event.id),
      results: r.results.map((x) => x.event.id),
      firstFeedbackAt: r.firstFeedbackAt,
      firstResultAt: r.firstResultAt,
      firstResponseAt: r.firstResponseAt,
      lastStatus: r.lastStatus,
      paymentRequested: r.paymentRequested,
      earnedMsat: r.earnedMsat,
    }));
  const { id, kind, customer, createdAt, encrypted, parentIds, rootId, outcome, endedAt } = job;
  const request = job.request === null ? null : { ...job.request };
  const cancellation = job.cancellation?.event.id ?? null;
  return {
    id,
    kind,
    request,
    customer,
    createdAt,
    encrypted,
    parentIds,
    rootId,
    responses,
    cancellation,
    outcome,
    endedAt,
  };
}

/** Event types as a sorted list, orphans left out and late events counted as what they carry. */
function typeMultiset(events: readonly DomainEvent[]): string[] {
  const lateAs = { feedback: 'job_feedback', result: 'job_result', cancellation: 'job_cancelled' } as const;
  return events
    .filter((e) => e.type !== 'orphan')
    .map((e) =>
      e.type === 'late_event' ? lateAs[e.event.event.kind === 5 ? 'cancellation' : e.event.role] : e.type,
    )
    .sort();
}

function run(events: readonly DvmEvent[], tickBetween: readonly boolean[] = []) {
  const h = new Harness();
  events.forEach((event, i) => {
    h.apply(event);
    if (tickBetween[i]) h.index.tick();
  });
  h.index.drain();
  return { h, snapshot: [describeJob(h.index.get(REQ)), describeJob(h.index.get(PARENT))] };
}

describe('job index: any arrival order', () => {
  it('reaches the same final jobs and the same domain events for every permutation of a job’s events', () => {
    const arb = scenarioArb.chain((scenario) => {
      const events = eventsOf(scenario);
      return fc.tuple(
        fc.constant(events),
        fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
        fc.array(fc.boolean(), { minLength: events.length, maxLength: events.length }),
      );
    });
    fc.assert(
      fc.property(arb, ([natural, shuffled, ticks]) => {
        const expected = run(natural);
        const actual = run(shuffled, ticks);
        expect(actual.snapshot).toEqual(expected.snapshot);
        expect(typeMultiset(actual.h.events)).toEqual(typeMultiset(expected.h.events));
        expect(actual.h.index.stats()).toMatchObject({ openJobs: 0, placeholders: 0 });
      }),
      { numRuns: 300 },
    );
  });

  it('exercises the interesting cases: the natural order emits settlements, payments and links', () => {
    const { h } = run(
      eventsOf({
        withParent: true,
        parentAnswered: true,
        encrypted: false,
        cancel: 'none',
        steps: [
          { dvm: 0, what: 'payment-required', at: 1, wrongKind: false },
          { dvm: 0, what: 'result', at: 3, wrongKind: true },
          { dvm: 1, what: 'error', at: 2, wrongKind: false },
        ],
        prices: [
          [1000, 900],
          [0, null],
          [0, null],
        ],
      }),
    );
    expect(typeMultiset(h.events)).toEqual(
      [
        'job_requested',
        'job_result',
        'job_requested',
        'chain_linked',
        'job_feedback',
        'payment_earned',
        'job_result',
        'kind_mismatch',
        'job_feedback',
        'job_settled',
        'job_settled',
      ].sort(),
    );
    expect(h.job(REQ)).toMatchObject({ rootId: PARENT, outcome: 'success', endedAt: T0 + 3 });
  });
});
