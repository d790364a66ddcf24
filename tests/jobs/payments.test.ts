import { describe, expect, it } from 'vitest';
import { amount, feedback, hex, key, request, result, T0 } from '../support/dvm-events.js';
import { Harness } from './harness.js';

const REQ = hex('req-pay');
const A = key('dvm-a');
const B = key('dvm-b');

const askFor = (msat: ReturnType<typeof amount> | null, at = T0 + 1, dvm = A) =>
  feedback({ requestId: REQ, dvm, status: 'payment-required', amount: msat, at });

function earned(h: Harness) {
  return h.of('payment_earned').map((e) => ({ dvm: e.dvm, msat: e.msat, source: e.source, job: e.job.id }));
}

describe('job index: payment earned', () => {
  it('credits a DVM that asked for payment and then delivered, once, with the invoice amount', () => {
    const h = new Harness();
    h.apply(
      request({ id: REQ }),
      askFor(amount(28_125, 25_000)),
      result({ requestId: REQ, at: T0 + 5 }),
      result({ requestId: REQ, at: T0 + 6 }),
    );
    expect(earned(h)).toEqual([{ dvm: A, msat: 25_000, source: 'invoice', job: REQ }]);
    expect(h.job(REQ).responses.get(A)).toMatchObject({
      earnedMsat: 25_000,
      paymentRequested: { tagMsat: 28_125, invoiceMsat: 25_000 },
    });
  });

  it('uses the amount tag when there is no decodable invoice', () => {
    const h = new Harness();
    h.apply(request({ id: REQ }), askFor(amount(21_000)), result({ requestId: REQ, at: T0 + 5 }));
    expect(earned(h)).toEqual([{ dvm: A, msat: 21_000, source: 'tag', job: REQ }]);
  });

  it('credits the same amount when the result arrives before the payment request', () => {
    const h = new Harness();
    h.apply(result({ requestId: REQ, at: T0 + 5 }), askFor(amount(21_000, 20_000)), request({ id: REQ }));
    expect(earned(h)).toEqual([{ dvm: A, msat: 20_000, source: 'invoice', job: REQ }]);
  });

  it('credits a result created in the same second as the payment request', () => {
    const h = new Harness();
    h.apply(request({ id: REQ }), result({ requestId: REQ, at: T0 + 1 }), askFor(amount(1_000), T0 + 1));
    expect(earned(h)).toHaveLength(1);
  });

  it('does not credit a result created before the payment request', () => {
    const h = new Harness();
    h.apply(request({ id: REQ }), result({ requestId: REQ, at: T0 + 1 }), askFor(amount(1_000), T0 + 2));
    expect(earned(h)).toEqual([]);
    h.apply(result({ requestId: REQ, at: T0 + 3 }));
    expect(earned(h)).toHaveLength(1);
  });

  it('credits each DVM separately, only for its own payment request and result', () => {
    const h = new Harness();
    h.apply(
      request({ id: REQ }),
      askFor(amount(1_000), T0 + 1, A),
      askFor(amount(2_000), T0 + 1, B),
      result({ requestId: REQ, dvm: B, at: T0 + 2 }),
    );
    expect(earned(h)).toEqual([{ dvm: B, msat: 2_000, source: 'tag', job: REQ }]);
  });

  it('emits nothing when the payment request carries no usable figure, or no amount at all', () => {
    const h = new Harness();
    h.apply(request({ id: REQ }), askFor(amount(null)), askFor(null), result({ requestId: REQ, at: T0 + 5 }));
    expect(earned(h)).toEqual([]);
    expect(h.job(REQ).responses.get(A)?.paymentRequested).toMatchObject({ raw: 'garbage' });
  });

  it('credits the earliest priced payment request when a DVM asked more than once', () => {
    const h = new Harness();
    h.apply(
      request({ id: REQ }),
      askFor(amount(5_000), T0 + 3),
      askFor(amount(4_000), T0 + 1),
      result({ requestId: REQ, at: T0 + 9 }),
    );
    expect(earned(h).map((e) => e.msat)).toEqual([4_000]);
  });
});
