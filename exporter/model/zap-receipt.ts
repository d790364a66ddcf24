import { decodeInvoice } from './bolt11.js';
import type { ZapReceipt } from './dvm-event.js';
import { hexIdFromTag } from './hex.js';
import type { NostrEvent } from './nostr-event.js';
import { firstMapped, firstTag, firstValue, parseDecimal, type Tags, uniqueValues } from './tags.js';

export type ZapReading = { ok: true; zap: ZapReceipt } | { ok: false; detail: string };

/**
 * A zap receipt (9735) counts only when its `e` tag points at an event (hopefully a job result or
 * feedback; the job index decides). The amount is the invoice's; a receipt whose invoice does not decode
 * falls back on the `amount` (msats) of the zap request embedded in its `description` tag.
 */
export function readZapReceipt(event: NostrEvent): ZapReading {
  const targetIds = uniqueValues(event.tags, 'e', hexIdFromTag);
  if (targetIds.length === 0)
    return { ok: false, detail: 'zap receipt without an e tag: it zaps a profile, not a job' };
  const bolt11 = firstValue(event.tags, 'bolt11');
  const invoiceMsat = bolt11 === null ? null : (decodeInvoice(bolt11)?.msat ?? null);
  return {
    ok: true,
    zap: {
      role: 'zap_receipt',
      event,
      targetIds,
      recipient: firstMapped(event.tags, 'p', hexIdFromTag),
      bolt11,
      amountMsat: invoiceMsat ?? zapRequestAmount(event.tags),
    },
  };
}

/** `["description", <9734 zap request JSON>]`, whose own `["amount", <msats>]` tag is what the payer asked. */
function zapRequestAmount(tags: Tags): number | null {
  const description = firstValue(tags, 'description');
  if (description === null) return null;
  let request: unknown;
  try {
    request = JSON.parse(description);
  } catch {
    return null;
  }
  if (typeof request !== 'object' || request === null) return null;
  const requestTags: unknown = (request as { tags?: unknown }).tags;
  if (!Array.isArray(requestTags)) return null;
  const stringTags = requestTags.filter(
    (tag): tag is string[] => Array.isArray(tag) && tag.every((item) => typeof item === 'string'),
  );
  return parseDecimal(firstTag(stringTags, 'amount')?.[1]);
}
