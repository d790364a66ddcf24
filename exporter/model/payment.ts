import { decodeInvoice } from './bolt11.js';
import type { AmountIssue, PaymentAmount } from './dvm-event.js';
import { parseDecimal } from './tags.js';

/**
 * The largest amount taken as a price: 10 BTC (10^12 msat). NIP-90 jobs cost sats, not bitcoins; an
 * amount past this is junk or an attack on the payment counters (9007199254740991 msat summed nine times
 * is past 2^53, where float sums lose precision). It is kept as written (`raw`) and listed as
 * `implausible_amount`, but never summed.
 */
export const MAX_PLAUSIBLE_MSAT = 1_000_000_000_000;

/**
 * Reads an `amount` tag: `["amount", <msats>, <bolt11?>]`. Both numbers are kept; whatever is wrong is
 * listed in `issues` and the job is kept (`["amount","100_000","botlab@zeuspay.com"]` is real).
 */
export function parseAmountTag(tag: readonly string[]): PaymentAmount {
  const issues: AmountIssue[] = [];
  const raw = tag[1] ?? '';
  let tagMsat = parseDecimal(raw);
  if (tagMsat === null) issues.push('unparsable_amount');
  const invoiceText = tag[2] ?? '';
  const invoice = invoiceText === '' ? null : decodeInvoice(invoiceText);
  if (invoiceText !== '' && invoice === null) issues.push('bad_invoice');
  let invoiceMsat = invoice?.msat ?? null;
  if (tagMsat !== null && invoiceMsat !== null && tagMsat !== invoiceMsat) issues.push('amount_mismatch');
  if ((tagMsat ?? 0) > MAX_PLAUSIBLE_MSAT || (invoiceMsat ?? 0) > MAX_PLAUSIBLE_MSAT) {
    issues.push('implausible_amount');
    if ((tagMsat ?? 0) > MAX_PLAUSIBLE_MSAT) tagMsat = null;
    if ((invoiceMsat ?? 0) > MAX_PLAUSIBLE_MSAT) invoiceMsat = null;
  }
  return {
    raw,
    tagMsat,
    bolt11: invoice ? invoiceText : null,
    invoiceMsat,
    invoiceExpiresAt: invoice?.expiresAt ?? null,
    issues,
  };
}
