import { describe, expect, it } from 'vitest';
import { cancellation, feedback, hex, key, request, result, T0, zap } from '../support/dvm-events.js';
import type { ReceivedSpan } from '../support/otlp-receiver.js';
import { fileReceiver, type IndexDriver, only, sha16, traced as tracedSpans, tree } from './support.js';

const A = key('dvm-a');
const B = key('dvm-b');
const receiver = fileReceiver();
const traced = (script: (driver: IndexDriver) => void) => tracedSpans(receiver(), script);

const jobSpan = (spans: readonly ReceivedSpan[], id: string) =>
  only(spans, (s) => s.name.startsWith('dvm.job') && s.attributes['dvm.job.id'] === id);

describe('chains: steps are children of the job they build on, in the root’s trace', () => {
  it('a three-step chain is one trace: root > step 2 > step 3', async () => {
    const [R, S2, S3] = [hex('chain-1'), hex('chain-2'), hex('chain-3')];
    const spans = await traced((d) =>
      d
        .at(0, request({ id: R, kind: 5002, at: T0 }))
        .at(5, result({ requestId: R, dvm: A, requestKind: 5002, at: T0 + 5 }))
        .at(6, request({ id: S2, kind: 5050, at: T0 + 6, jobInputs: [R] }))
        .at(10, result({ requestId: S2, dvm: B, requestKind: 5050, at: T0 + 10 }))
        .at(11, request({ id: S3, kind: 5250, at: T0 + 11, jobInputs: [S2] }))
        .at(15, result({ requestId: S3, dvm: A, requestKind: 5250, at: T0 + 15 }))
        .at(400),
    );
    expect(tree(spans)).toEqual([
      'dvm.job 5002',
      'dvm.job 5002 > dvm.job 5050',
      'dvm.job 5002 > dvm.job 5050 > dvm.job 5250',
      'dvm.job 5002 > dvm.job 5050 > dvm.job 5250 > dvm.response 5250',
      'dvm.job 5002 > dvm.job 5050 > dvm.response 5050',
      'dvm.job 5002 > dvm.response 5002',
    ]);
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([R.slice(0, 32)]));
    const step3 = jobSpan(spans, S3);
    expect(step3.spanId).toBe(S3.slice(32, 48));
    expect(step3.parentSpanId).toBe(S2.slice(32, 48));
    expect(step3.attributes).toMatchObject({
      'dvm.chain.root': R,
      'dvm.chain.parent': S2,
      'dvm.chain.inputs': [S2],
    });
    expect(step3.links).toEqual([]);
    expect([step3.start, step3.end]).toEqual([T0 + 11, T0 + 15]);
  });

  it('a branching chain: one job feeds two, and a step with two job inputs links to the second', async () => {
    const [R, L, M, J] = [hex('branch-root'), hex('branch-left'), hex('branch-right'), hex('branch-join')];
    const spans = await traced((d) =>
      d
        .at(0, request({ id: R, at: T0 }))
        .at(2, result({ requestId: R, dvm: A, at: T0 + 2 }))
        .at(3, request({ id: L, at: T0 + 3, jobInputs: [R] }), request({ id: M, at: T0 + 3, jobInputs: [R] }))
        .at(6, result({ requestId: L, dvm: A, at: T0 + 6 }), result({ requestId: M, dvm: B, at: T0 + 6 }))
        .at(7, request({ id: J, kind: 5102, at: T0 + 7, jobInputs: [L, M] }))
        .at(9, result({ requestId: J, dvm: A, requestKind: 5102, at: T0 + 9 }))
        .at(400),
    );
    expect(
      tree(spans).filter(
        (line) => !line.endsWith('dvm.response 5000') && !line.endsWith('dvm.response 5102'),
      ),
    ).toEqual([
      'dvm.job 5000',
      'dvm.job 5000 > dvm.job 5000',
      'dvm.job 5000 > dvm.job 5000',
      'dvm.job 5000 > dvm.job 5000 > dvm.job 5102',
    ]);
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([R.slice(0, 32)]));
    const join = jobSpan(spans, J);
    expect(join.parentSpanId).toBe(L.slice(32, 48));
    expect(join.links).toEqual([
      { traceId: R.slice(0, 32), spanId: M.slice(32, 48), attributes: { 'dvm.chain.input': M } },
    ]);
    expect(join.attributes['dvm.chain.inputs']).toEqual([L, M]);
  });

  it('a step whose input is unknown gets its own trace with a link to where the input would be', async () => {
    const [X, S] = [hex('never-seen'), hex('orphan-step')];
    const spans = await traced((d) =>
      d
        .at(0, request({ id: S, at: T0, jobInputs: [X] }))
        .at(4, result({ requestId: S, dvm: A, at: T0 + 4 }))
        .at(300),
    );
    const step = jobSpan(spans, S);
    expect(step.traceId).toBe(S.slice(0, 32));
    expect(step.parentSpanId).toBe('');
    expect(step.attributes['dvm.chain.root']).toBe(S);
    expect(step.attributes['dvm.chain.parent']).toBeUndefined();
    expect(step.links).toEqual([
      { traceId: X.slice(0, 32), spanId: X.slice(32, 48), attributes: { 'dvm.chain.input': X } },
    ]);
  });

  it('a step emitted before its parent arrived is stitched into the root’s trace by a chain-link span', async () => {
    const [R, S2, S3] = [hex('late-root'), hex('early-step'), hex('after-step')];
    const spans = await traced((d) =>
      d
        .at(0, request({ id: S2, at: T0 + 10, jobInputs: [R] }))
        .at(12, result({ requestId: S2, dvm: A, at: T0 + 12 }))
        .at(200) // S2 settles in its own trace: its parent is unknown
        .at(201, request({ id: R, at: T0 }))
        .at(202, result({ requestId: R, dvm: B, at: T0 + 5 }))
        .at(203, request({ id: S3, at: T0 + 203, jobInputs: [S2] }))
        .at(205, result({ requestId: S3, dvm: A, at: T0 + 205 }))
        .at(600),
    );
    const early = jobSpan(spans, S2);
    expect(early.traceId).toBe(S2.slice(0, 32));
    const link = only(spans, (s) => s.name === 'dvm.chain.link');
    expect(link.traceId).toBe(R.slice(0, 32));
    expect(link.parentSpanId).toBe(R.slice(32, 48));
    expect(link.spanId).toBe(sha16(`chain:${R}${S2}`));
    expect([link.start, link.end]).toEqual([T0 + 10, T0 + 10]);
    expect(link.links).toEqual([
      { traceId: S2.slice(0, 32), spanId: S2.slice(32, 48), attributes: { 'dvm.chain.child': S2 } },
    ]);
    expect(link.attributes).toEqual({
      'dvm.job.id': S2,
      'dvm.chain.root': R,
      'dvm.chain.parent': R,
      'dvm.chain.child': S2,
    });
    // The next step belongs to the root's trace, under the stand-in, and links to the real parent span.
    const after = jobSpan(spans, S3);
    expect(after.traceId).toBe(R.slice(0, 32));
    expect(after.parentSpanId).toBe(link.spanId);
    expect(after.links).toEqual([
      { traceId: S2.slice(0, 32), spanId: S2.slice(32, 48), attributes: { 'dvm.chain.input': S2 } },
    ]);
  });

  it('a second input that arrives late gets a chain-link span in its own trace pointing at the step', async () => {
    const [P1, P2, J] = [hex('first-input'), hex('second-input'), hex('fan-in')];
    const spans = await traced((d) =>
      d
        .at(0, request({ id: P1, at: T0 }))
        .at(2, result({ requestId: P1, dvm: A, at: T0 + 2 }))
        .at(3, request({ id: J, at: T0 + 3, jobInputs: [P1, P2] }))
        .at(6, result({ requestId: J, dvm: B, at: T0 + 6 }))
        .at(300) // both settled; P2 unknown so far
        .at(301, request({ id: P2, at: T0 + 1 }))
        .at(302, result({ requestId: P2, dvm: A, at: T0 + 302 }))
        .at(700),
    );
    const fanIn = jobSpan(spans, J);
    expect([fanIn.traceId, fanIn.parentSpanId]).toEqual([P1.slice(0, 32), P1.slice(32, 48)]);
    expect(fanIn.links).toEqual([
      { traceId: P2.slice(0, 32), spanId: P2.slice(32, 48), attributes: { 'dvm.chain.input': P2 } },
    ]);
    const link = only(spans, (s) => s.name === 'dvm.chain.link');
    expect([link.traceId, link.parentSpanId]).toEqual([P2.slice(0, 32), P2.slice(32, 48)]);
    expect(link.links).toEqual([
      { traceId: P1.slice(0, 32), spanId: J.slice(32, 48), attributes: { 'dvm.chain.child': J } },
    ]);
    expect(link.attributes['dvm.chain.root']).toBe(P1);
  });
});

describe('late events: still a span, in the same trace', () => {
  it('a second DVM answering after settlement gets its response span; later feedback a small span', async () => {
    const REQ = hex('late');
    const lateResult = result({ requestId: REQ, dvm: B, at: T0 + 150 });
    const lateFeedback = feedback({ requestId: REQ, dvm: A, status: 'success', at: T0 + 160 });
    const kill = cancellation({ targetIds: [REQ], at: T0 + 170 });
    const spans = await traced((d) =>
      d
        .at(0, request({ id: REQ, at: T0 }))
        .at(3, result({ requestId: REQ, dvm: A, at: T0 + 3 }))
        .at(130) // settled
        .at(150, lateResult)
        .at(160, lateFeedback)
        .at(170, kill),
    );
    expect(tree(spans)).toEqual([
      'dvm.job 5000',
      'dvm.job 5000 > dvm.late_event 5000',
      'dvm.job 5000 > dvm.response 5000',
      'dvm.job 5000 > dvm.response 5000',
      'dvm.job 5000 > dvm.response 5000 > dvm.late_event 5000',
    ]);
    const late = only(spans, (s) => s.attributes['dvm.pubkey'] === B);
    expect(late.spanId).toBe(sha16(REQ + B));
    expect([late.start, late.end]).toEqual([T0, T0 + 150]);
    expect(late.attributes).toMatchObject({ 'dvm.response.late': true, 'dvm.response.outcome': 'result' });

    const afterFeedback = only(spans, (s) => s.attributes['dvm.late.role'] === 'feedback');
    expect(afterFeedback.spanId).toBe(lateFeedback.event.id.slice(0, 16));
    expect(afterFeedback.parentSpanId).toBe(sha16(REQ + A));
    expect([afterFeedback.start, afterFeedback.end]).toEqual([T0 + 160, T0 + 160]);
    expect(afterFeedback.attributes).toEqual({
      'nostr.event.id': lateFeedback.event.id,
      'nostr.event.kind': 7000,
      'dvm.feedback.status': 'success',
      'dvm.job.id': REQ,
      'dvm.job.kind': 5000,
      'dvm.job.outcome': 'success',
      'dvm.pubkey': A,
      'dvm.late.role': 'feedback',
      'dvm.late.after_seconds': 157,
    });

    const afterCancel = only(spans, (s) => s.attributes['dvm.late.role'] === 'cancellation');
    expect(afterCancel.parentSpanId).toBe(REQ.slice(32, 48));
    expect(afterCancel.attributes['nostr.event.id']).toBe(kill.event.id);
  });

  it('a request arriving after its job was emitted from responses alone becomes a late span', async () => {
    const REQ = hex('request-last');
    const req = request({ id: REQ, kind: 5300, at: T0 });
    const spans = await traced((d) =>
      d
        .at(3, result({ requestId: REQ, dvm: A, requestKind: 5300, at: T0 + 3 }))
        .at(200) // settled as a placeholder: kind from the result, customer from its p tag
        .at(201, req),
    );
    const job = only(spans, (s) => s.name === 'dvm.job 5300');
    expect(job.attributes).toMatchObject({ 'dvm.job.request_seen': false, 'dvm.job.kind': 5300 });
    expect(job.attributes['nostr.event.id']).toBeUndefined();
    expect([job.start, job.end]).toEqual([T0 + 3, T0 + 3]);
    const late = only(spans, (s) => s.attributes['dvm.late.role'] === 'request');
    expect(late.parentSpanId).toBe(job.spanId);
    expect(late.spanId).toBe(REQ.slice(0, 16));
    expect(late.attributes).toMatchObject({ 'nostr.event.id': REQ, 'dvm.late.after_seconds': -3 });
  });

  it('a zap after settlement is a span under the zapped DVM’s response span', async () => {
    const REQ = hex('zapped-late');
    const res = result({ requestId: REQ, dvm: A, at: T0 + 3 });
    const receipt = zap([res.event.id], T0 + 200);
    const spans = await traced((d) =>
      d
        .at(0, request({ id: REQ, at: T0 }))
        .at(3, res)
        .at(130)
        .at(200, receipt),
    );
    const span = only(spans, (s) => s.name === 'dvm.zap');
    expect(span.traceId).toBe(REQ.slice(0, 32));
    expect(span.parentSpanId).toBe(sha16(REQ + A));
    expect(span.spanId).toBe(receipt.event.id.slice(0, 16));
    expect([span.start, span.end]).toEqual([T0 + 200, T0 + 200]);
    expect(span.attributes).toEqual({
      'nostr.event.id': receipt.event.id,
      'nostr.event.kind': 9735,
      'dvm.job.id': REQ,
      'dvm.job.kind': 5000,
      'dvm.pubkey': A,
      'dvm.zap.amount_msat': 21_000,
      'dvm.zap.targets': [res.event.id],
    });
  });
});
