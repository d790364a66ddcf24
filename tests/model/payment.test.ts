import { describe, expect, it } from 'vitest';
import { classify } from '../../exporter/model/classify.js';
import { effectiveMsat, type ZapReceipt } from '../../exporter/model/dvm-event.js';
import { parseAmountTag } from '../../exporter/model/payment.js';
import { INVOICE_10P, INVOICE_10U_EXPIRY_600, INVOICE_250N, INVOICE_NO_AMOUNT } from './invoices.js';
import { draft, ID_A } from './support.js';

describe('parseAmountTag', () => {
  it('keeps both numbers and flags the real 28125-vs-lnbc250n disagreement', () => {
    expect(parseAmountTag(['amount', '28125', INVOICE_250N])).toEqual({
      raw: '28125',
      tagMsat: 28125,
      bolt11: INVOICE_250N,
      invoiceMsat: 25000,
      invoiceExpiresAt: 1_700_000_000 + 3600,
      issues: ['amount_mismatch'],
    });
  });

  it('uses the invoice expiry when it has one', () => {
    expect(parseAmountTag(['amount', '1000000', INVOICE_10U_EXPIRY_600])).toMatchObject({
      tagMsat: 1_000_000,
      invoiceMsat: 1_000_000,
      invoiceExpiresAt: 1_700_000_100 + 600,
      issues: [],
    });
  });

  it.each<[string, string[], object]>([
    [
      'plain msats',
      ['amount', '21000'],
      { raw: '21000', tagMsat: 21000, bolt11: null, invoiceMsat: null, issues: [] },
    ],
    ['zero', ['amount', '0'], { tagMsat: 0, issues: [] }],
    [
      'an underscore number and a lightning address',
      ['amount', '100_000', 'botlab@zeuspay.com'],
      {
        raw: '100_000',
        tagMsat: null,
        bolt11: null,
        invoiceMsat: null,
        issues: ['unparsable_amount', 'bad_invoice'],
      },
    ],
    ['a negative number', ['amount', '-5'], { tagMsat: null, issues: ['unparsable_amount'] }],
    ['an exponent', ['amount', '1e3'], { tagMsat: null, issues: ['unparsable_amount'] }],
    ['a decimal', ['amount', '10.5'], { tagMsat: null, issues: ['unparsable_amount'] }],
    ['spaces', ['amount', ' 100'], { tagMsat: null, issues: ['unparsable_amount'] }],
    ['past 2^53', ['amount', '9'.repeat(30)], { tagMsat: null, issues: ['unparsable_amount'] }],
    [
      'the largest safe integer (beyond any plausible price: never summed)',
      ['amount', '9007199254740991'],
      { raw: '9007199254740991', tagMsat: null, issues: ['implausible_amount'] },
    ],
    ['10 BTC exactly (the cap)', ['amount', '1000000000000'], { tagMsat: 1_000_000_000_000, issues: [] }],
    ['one msat past the cap', ['amount', '1000000000001'], { tagMsat: null, issues: ['implausible_amount'] }],
    ['no value at all', ['amount'], { raw: '', tagMsat: null, issues: ['unparsable_amount'] }],
    ['an empty invoice slot', ['amount', '5', ''], { tagMsat: 5, bolt11: null, issues: [] }],
    [
      'a lightning: URI',
      ['amount', '5', `lightning:${INVOICE_250N}`],
      { bolt11: null, issues: ['bad_invoice'] },
    ],
    [
      'a broken checksum',
      ['amount', '25000', `${INVOICE_250N.slice(0, -1)}q`],
      { bolt11: null, issues: ['bad_invoice'] },
    ],
    ['lnurl garbage', ['amount', '5', 'lnurl1dp68gurn8ghj7'], { bolt11: null, issues: ['bad_invoice'] }],
    [
      'an invoice without an amount',
      ['amount', '5000', INVOICE_NO_AMOUNT],
      {
        tagMsat: 5000,
        bolt11: INVOICE_NO_AMOUNT,
        invoiceMsat: null,
        invoiceExpiresAt: 1_700_000_200 + 3600,
        issues: [],
      },
    ],
    ['a 1 msat pico invoice', ['amount', '1', INVOICE_10P], { invoiceMsat: 1, issues: [] }],
    [
      'an upper-case invoice (as in QR codes)',
      ['amount', '25000', INVOICE_250N.toUpperCase()],
      { invoiceMsat: 25000, bolt11: INVOICE_250N.toUpperCase(), issues: [] },
    ],
  ])('reads %s without throwing', (_name, tag, expected) => {
    expect(parseAmountTag(tag)).toMatchObject(expected);
  });

  it('lets effectiveMsat prefer the invoice, then the tag', () => {
    expect(effectiveMsat(parseAmountTag(['amount', '28125', INVOICE_250N]))).toBe(25000);
    expect(effectiveMsat(parseAmountTag(['amount', '28125', 'garbage']))).toBe(28125);
    expect(effectiveMsat(parseAmountTag(['amount', 'x']))).toBeNull();
  });
});

describe('zap receipt amounts', () => {
  function zap(tags: string[][]): ZapReceipt {
    const result = classify(draft({ kind: 9735, tags: [['e', ID_A], ['p', 'c'.repeat(64)], ...tags] }));
    if (!result.ok || result.event.role !== 'zap_receipt') throw new Error('expected a zap receipt');
    return result.event;
  }
  const zapRequest = (amount: string) =>
    JSON.stringify({
      kind: 9734,
      tags: [
        ['p', 'c'.repeat(64)],
        ['amount', amount],
      ],
      content: '',
    });

  it('reads the amount from the bolt11 tag', () => {
    expect(
      zap([
        ['bolt11', INVOICE_250N],
        ['description', zapRequest('99')],
      ]),
    ).toMatchObject({
      targetIds: [ID_A],
      recipient: 'c'.repeat(64),
      bolt11: INVOICE_250N,
      amountMsat: 25000,
    });
  });

  it('falls back on the zap request amount when the invoice does not decode or has no amount', () => {
    expect(
      zap([
        ['bolt11', 'lnbc-garbage'],
        ['description', zapRequest('21000')],
      ]).amountMsat,
    ).toBe(21000);
    expect(
      zap([
        ['bolt11', INVOICE_NO_AMOUNT],
        ['description', zapRequest('21000')],
      ]).amountMsat,
    ).toBe(21000);
    expect(zap([['description', zapRequest('7')]])).toMatchObject({ bolt11: null, amountMsat: 7 });
  });

  it.each([['not json'], ['[]'], ['{"tags": 5}'], ['{"tags": [["amount", 5]]}'], [zapRequest('1_000')]])(
    'has no amount for the description %j',
    (description) => {
      expect(zap([['description', description]]).amountMsat).toBeNull();
    },
  );
});
