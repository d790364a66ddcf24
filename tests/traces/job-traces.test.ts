import { describe, expect, it } from 'vitest';
import { amount, cancellation, feedback, hex, key, request, result, T0 } from '../support/dvm-events.js';
import {
  byName,
  fileReceiver,
  type IndexDriver,
  only,
  sha16,
  traced as tracedSpans,
  tree,
} from './support.js';

const A = key('dvm-a');
const B = key('dvm-b');
const CUSTOMER = key('customer');

const receiver = fileReceiver();
const traced = (script: (driver: IndexDriver) => void) => tracedSpans(receiver(), script);

describe('job traces: one trace per job chain', () => {
  it('one DVM: a job span from request to result, a child for the DVM, feedback and result as events', async () => {
    const REQ = hex('one-dvm');
    const processing = {
      ...feedback({ requestId: REQ, dvm: A, status: 'processing', at: T0 + 2 }),
      statusText: 'working',
    };
    const res = result({ requestId: REQ, dvm: A, requestKind: 5100, at: T0 + 7 });
    const spans = await traced((d) =>
      d
        .at(0, request({ id: REQ, kind: 5100, at: T0 }))
        .at(2, processing)
        .at(7, res)
        .at(7 + 120),
    );

    expect(tree(spans)).toEqual(['dvm.job 5100', 'dvm.job 5100 > dvm.response 5100']);
    const job = only(spans, (s) => s.name === 'dvm.job 5100');
    expect(job.traceId).toBe(REQ.slice(0, 32));
    expect(job.spanId).toBe(REQ.slice(32, 48));
    expect(job.parentSpanId).toBe('');
    expect(job.startTimeUnixNano).toBe(BigInt(T0) * 1_000_000_000n);
    expect(job.endTimeUnixNano).toBe(BigInt(T0 + 7) * 1_000_000_000n);
    expect(job.attributes).toEqual({
      'dvm.job.id': REQ,
      'nostr.event.id': REQ,
      'nostr.event.kind': 5100,
      'dvm.job.kind': 5100,
      'dvm.job.customer': CUSTOMER,
      'dvm.job.outcome': 'success',
      'dvm.job.request_seen': true,
      'dvm.job.encrypted': false,
      'dvm.job.input_count': 0,
      'dvm.job.dvm_count': 1,
      'dvm.job.result_count': 1,
      'dvm.chain.root': REQ,
    });
    expect(job.status.code).toBe(0);
    expect(job.resource['service.name']).toBe('dvm-exporter-test');
    expect(job.scope.name).toBe('dvm-exporter');

    const response = only(spans, (s) => s.name === 'dvm.response 5100');
    expect(response.traceId).toBe(job.traceId);
    expect(response.parentSpanId).toBe(job.spanId);
    expect(response.spanId).toBe(sha16(REQ + A));
    expect([response.start, response.end]).toEqual([T0 + 2, T0 + 7]);
    expect(response.attributes).toEqual({
      'dvm.job.id': REQ,
      'dvm.job.kind': 5100,
      'dvm.pubkey': A,
      'nostr.event.id': res.event.id,
      'dvm.response.outcome': 'result',
      'dvm.response.last_status': 'processing',
      'dvm.response.feedback_count': 1,
      'dvm.response.result_count': 1,
    });
    expect(response.events).toEqual([
      {
        name: 'dvm.feedback',
        timeUnixNano: BigInt(T0 + 2) * 1_000_000_000n,
        time: T0 + 2,
        attributes: {
          'nostr.event.id': processing.event.id,
          'dvm.feedback.status': 'processing',
          'dvm.feedback.text': 'working',
        },
      },
      {
        name: 'dvm.result',
        timeUnixNano: BigInt(T0 + 7) * 1_000_000_000n,
        time: T0 + 7,
        attributes: { 'nostr.event.id': res.event.id, 'nostr.event.kind': 6100 },
      },
    ]);
  });

  it('several DVMs answering one request: one child each, a silent DVM ends with the job', async () => {
    const REQ = hex('multi');
    const spans = await traced((d) =>
      d
        .at(0, { ...request({ id: REQ, at: T0 }), targets: [A, B] })
        .at(1, feedback({ requestId: REQ, dvm: B, status: 'processing', at: T0 + 1 }))
        .at(3, result({ requestId: REQ, dvm: A, at: T0 + 3 }))
        .at(9, feedback({ requestId: REQ, dvm: B, status: 'processing', at: T0 + 9 }))
        .at(200),
    );
    expect(tree(spans)).toEqual([
      'dvm.job 5000',
      'dvm.job 5000 > dvm.response 5000',
      'dvm.job 5000 > dvm.response 5000',
    ]);
    const job = only(spans, (s) => s.name === 'dvm.job 5000');
    expect([job.start, job.end]).toEqual([T0, T0 + 9]);
    expect(job.attributes['dvm.job.targets']).toEqual([A, B]);
    const a = only(spans, (s) => s.attributes['dvm.pubkey'] === A);
    const b = only(spans, (s) => s.attributes['dvm.pubkey'] === B);
    // A answered with a result first: its span starts at the request.
    expect([a.start, a.end, a.attributes['dvm.response.outcome']]).toEqual([T0, T0 + 3, 'result']);
    expect([b.start, b.end, b.attributes['dvm.response.outcome']]).toEqual([T0 + 1, T0 + 9, 'no_result']);
    expect(b.events.map((e) => e.time)).toEqual([T0 + 1, T0 + 9]);
    expect(a.attributes['dvm.response.targeted']).toBe(true);
    expect(new Set([a.spanId, b.spanId])).toEqual(new Set([sha16(REQ + A), sha16(REQ + B)]));
  });

  it('payment-required then success: amounts and invoice on the feedback event, earned on the span', async () => {
    const REQ = hex('paid');
    const ask = feedback({
      requestId: REQ,
      dvm: A,
      status: 'payment-required',
      at: T0 + 1,
      amount: amount(21_000, 21_000),
    });
    const spans = await traced((d) =>
      d
        .at(0, request({ id: REQ, at: T0 }))
        .at(1, ask)
        .at(30, feedback({ requestId: REQ, dvm: A, status: 'processing', at: T0 + 30 }))
        .at(40, result({ requestId: REQ, dvm: A, at: T0 + 40 }))
        .at(200),
    );
    const response = only(spans, (s) => s.name === 'dvm.response 5000');
    expect(response.attributes).toMatchObject({
      'dvm.payment.requested_msat': 21_000,
      'dvm.payment.invoice': 'lnbc1fake',
      'dvm.payment.earned_msat': 21_000,
      'dvm.response.outcome': 'result',
    });
    expect([response.start, response.end]).toEqual([T0 + 1, T0 + 40]);
    expect(response.events.map((e) => [e.name, e.time, e.attributes['dvm.feedback.status'] ?? null])).toEqual(
      [
        ['dvm.feedback', T0 + 1, 'payment-required'],
        ['dvm.feedback', T0 + 30, 'processing'],
        ['dvm.result', T0 + 40, null],
      ],
    );
    expect(response.events[0]?.attributes).toEqual({
      'nostr.event.id': ask.event.id,
      'dvm.feedback.status': 'payment-required',
      'dvm.payment.amount_msat': 21_000,
      'dvm.payment.amount_tag': '21000',
      'dvm.payment.invoice': 'lnbc1fake',
      'dvm.payment.invoice_msat': 21_000,
    });
  });

  it('an error: the DVM span and the job span carry error status and error.type', async () => {
    const REQ = hex('error');
    const spans = await traced((d) =>
      d
        .at(0, request({ id: REQ, at: T0 }))
        .at(4, {
          ...feedback({ requestId: REQ, dvm: A, status: 'error', at: T0 + 4 }),
          statusText: 'out of GPUs',
        })
        .at(300),
    );
    const job = only(spans, (s) => s.name === 'dvm.job 5000');
    const response = only(spans, (s) => s.name === 'dvm.response 5000');
    expect(job.attributes).toMatchObject({ 'dvm.job.outcome': 'error', 'error.type': 'dvm_error' });
    expect(job.status).toEqual({ code: 2, message: 'out of GPUs' });
    expect([job.start, job.end]).toEqual([T0, T0 + 4]);
    expect(response.attributes).toMatchObject({ 'dvm.response.outcome': 'error', 'error.type': 'dvm_error' });
    expect(response.status).toEqual({ code: 2, message: 'out of GPUs' });
    expect([response.start, response.end]).toEqual([T0 + 4, T0 + 4]);
  });

  it('an expired job: ends at request + expiry, error.type expired, a silent DVM runs to the end', async () => {
    const REQ = hex('expired');
    const spans = await traced((d) =>
      d
        .at(0, request({ id: REQ, at: T0 }))
        .at(5, feedback({ requestId: REQ, dvm: A, status: 'processing', at: T0 + 5 }))
        .at(3_601),
    );
    const job = only(spans, (s) => s.name === 'dvm.job 5000');
    expect([job.start, job.end]).toEqual([T0, T0 + 3_600]);
    expect(job.attributes).toMatchObject({ 'dvm.job.outcome': 'expired', 'error.type': 'expired' });
    expect(job.status.code).toBe(2);
    const response = only(spans, (s) => s.name === 'dvm.response 5000');
    expect([response.start, response.end]).toEqual([T0 + 5, T0 + 3_600]);
    expect(response.attributes['dvm.response.outcome']).toBe('no_result');
  });

  it('a cancelled job: ends at the kind 5, with a cancellation event', async () => {
    const REQ = hex('cancelled');
    const kill = cancellation({ targetIds: [REQ], at: T0 + 8 });
    const spans = await traced((d) =>
      d
        .at(0, request({ id: REQ, at: T0 }))
        .at(2, feedback({ requestId: REQ, dvm: A, status: 'processing', at: T0 + 2 }))
        .at(8, kill),
    );
    const job = only(spans, (s) => s.name === 'dvm.job 5000');
    expect(job.attributes['dvm.job.outcome']).toBe('cancelled');
    expect(job.status.code).toBe(0);
    expect([job.start, job.end]).toEqual([T0, T0 + 8]);
    expect(job.events).toEqual([
      {
        name: 'dvm.job.cancelled',
        timeUnixNano: BigInt(T0 + 8) * 1_000_000_000n,
        time: T0 + 8,
        attributes: { 'nostr.event.id': kill.event.id },
      },
    ]);
    expect(byName(spans, 'dvm.response 5000')).toHaveLength(1);
  });

  it('an encrypted job is marked on the job span and its events', async () => {
    const REQ = hex('encrypted');
    const spans = await traced((d) =>
      d
        .at(0, request({ id: REQ, at: T0, encryption: 'nip04' }))
        .at(3, feedback({ requestId: REQ, dvm: A, status: 'encrypted', at: T0 + 3, encryption: 'nip44' }))
        .at(6, result({ requestId: REQ, dvm: A, at: T0 + 6, encryption: 'nip44' }))
        .at(200),
    );
    const job = only(spans, (s) => s.name === 'dvm.job 5000');
    expect(job.attributes).toMatchObject({ 'dvm.job.encrypted': true, 'dvm.job.encryption': 'nip04' });
    const response = only(spans, (s) => s.name === 'dvm.response 5000');
    expect(response.events.map((e) => e.attributes['dvm.encryption'])).toEqual(['nip44', 'nip44']);
  });
});
