import fc from 'fast-check';
import { decode } from 'light-bolt11-decoder';
import { describe, expect, it } from 'vitest';
import { decodeInvoice, type InvoiceFacts } from '../../exporter/model/bolt11.js';
import { DEFAULT_SIMULATION, simulate } from '../../exporter/simulate/index.js';
import { INVOICE_10P, INVOICE_10U_EXPIRY_600, INVOICE_250N, INVOICE_NO_AMOUNT } from './invoices.js';

/**
 * The oracle: light-bolt11-decoder's full decode, read the simplest way (its sections; the last expiry
 * field counts, 3600 s when there is none).
 */
function reference(text: string): InvoiceFacts | null {
  if (text.slice(0, 2).toLowerCase() !== 'ln') return null;
  let sections: ReturnType<typeof decode>['sections'];
  try {
    sections = decode(text).sections;
  } catch {
    return null;
  }
  const amount = sections.find((s) => s.name === 'amount');
  const msat = amount ? Number(amount.value) : null;
  if (msat !== null && !Number.isSafeInteger(msat)) return null;
  const timestamp = sections.find((s) => s.name === 'timestamp')?.value as number;
  const expiries = sections.filter((s) => s.name === 'expiry');
  const expiry = expiries.length > 0 ? (expiries.at(-1)?.value as number) : 3600;
  if (!Number.isFinite(timestamp) || !Number.isFinite(expiry)) return null;
  return { msat, timestamp, expiresAt: timestamp + expiry };
}

/** Every invoice the simulator writes (payment requests and zap receipts), a few thousand of them. */
function simulatorInvoices(): string[] {
  const found = new Set<string>();
  for (const item of simulate({ ...DEFAULT_SIMULATION, durationSeconds: 3600, requestsPerMinute: 60 })) {
    const event = item.event as { tags?: unknown } | null;
    if (!event || !Array.isArray(event.tags)) continue;
    for (const tag of event.tags as unknown[]) {
      if (!Array.isArray(tag)) continue;
      if (tag[0] === 'amount' && typeof tag[2] === 'string') found.add(tag[2]);
      if (tag[0] === 'bolt11' && typeof tag[1] === 'string') found.add(tag[1]);
    }
  }
  return [...found];
}

const FIXED = [INVOICE_250N, INVOICE_10U_EXPIRY_600, INVOICE_NO_AMOUNT, INVOICE_10P];
const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

describe('decodeInvoice reads what light-bolt11-decoder reads', () => {
  const invoices = [...FIXED, ...simulatorInvoices()];

  it('on every simulator invoice and the test invoices', () => {
    expect(invoices.length).toBeGreaterThan(100);
    for (const text of invoices) expect(decodeInvoice(text), text).toEqual(reference(text));
  });

  it('on invoices with characters changed, cut, cased or prefixed (valid and invalid ones)', () => {
    const base = fc.constantFrom(...invoices.slice(0, 200));
    const mutated = fc.oneof(
      fc.tuple(base, fc.nat(), fc.constantFrom(...BECH32)).map(([s, at, c]) => {
        const i = at % s.length;
        return s.slice(0, i) + c + s.slice(i + 1);
      }),
      fc.tuple(base, fc.nat()).map(([s, at]) => s.slice(0, at % s.length)),
      base.map((s) => s.toUpperCase()),
      fc
        .tuple(
          base,
          fc.constantFrom(
            'lnbc',
            'lntb',
            'lntbs',
            'lnbcrt',
            'lnsb',
            'lnxy',
            'ln',
            'lnbc1',
            'lnbc99999999999',
          ),
        )
        .map(([s, hrp]) => hrp + s.slice(s.indexOf('1'))),
      fc.string(),
    );
    fc.assert(
      fc.property(mutated, (text) => {
        expect(decodeInvoice(text)).toEqual(reference(text));
      }),
      { numRuns: 2000 },
    );
  });
});
