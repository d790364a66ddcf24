import { decodeInvoice } from './bolt11.js';
import type { AmountIssue, PaymentAmount } from './dvm-event.js';
import { parseDecimal } from './tags.js';

/**
 * Reads an `amount` tag: `["amount", <msats>, <bolt11?>]`. Both numbers are kept; whatever is wrong is
 * listed in `issues` and the job is kept (`["amount","100_000","botlab@zeuspay.com"]` is real).
 */
export function parseAmountTag(tag: readonly string[]): PaymentAmount {
  const issues: AmountIssue[] = [];
  const raw = tag[1] ?? '';
  const tagMsat = parseDecimal(raw);
  if (tagMsat === null) issues.push('unparsable_amount');
  const invoiceText = tag[2] ?? '';
  const invoice = invoiceText === '' ? null : decodeInvoice(invoiceText);
  if (invoiceText !== '' && invoice === null) issues.push('bad_invoice');
  const invoiceMsat = invoice?.msat ?? null;
  if (tagMsat !== null && invoiceMsat !== null && tagMsat !== invoiceMsat) issues.push('amount_mismatch');
  return {
    raw,
    tagMsat,
    bolt11: invoice ? invoiceText : null,
    invoiceMsat,
    invoiceExpiresAt: invoice?.expiresAt ?? null,
    issues,
  };
}
