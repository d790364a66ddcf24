import { decode } from 'light-bolt11-decoder';

/** BOLT-11's default when the invoice has no expiry field. */
const DEFAULT_EXPIRY_SECONDS = 3600;

export interface InvoiceFacts {
  /** The amount in millisats; null when the invoice leaves the amount to the payer. */
  readonly msat: number | null;
  readonly timestamp: number;
  /** timestamp + expiry (3600 s when the invoice does not say). */
  readonly expiresAt: number;
}

/**
 * Decodes the parts of a bolt11 invoice the exporter uses. Null when it is not an invoice: the decoder
 * throws on lightning addresses, `lightning:` URIs and bad checksums, and an amount past 2^53 msat cannot
 * be represented (no real invoice comes near: 21M BTC is 2.1e18 msat).
 */
export function decodeInvoice(text: string): InvoiceFacts | null {
  if (text.slice(0, 2).toLowerCase() !== 'ln') return null;
  let sections: ReturnType<typeof decode>['sections'];
  try {
    sections = decode(text).sections;
  } catch {
    return null;
  }
  let msat: number | null = null;
  let timestamp: number | null = null;
  let expiry = DEFAULT_EXPIRY_SECONDS;
  // The decoder has no amount or timestamp getters; the sections hold them (the amount as a string).
  for (const section of sections) {
    if (section.name === 'amount') {
      msat = Number(section.value);
      if (!Number.isSafeInteger(msat)) return null;
    } else if (section.name === 'timestamp') timestamp = section.value;
    else if (section.name === 'expiry') expiry = section.value;
  }
  if (timestamp === null || !Number.isFinite(timestamp) || !Number.isFinite(expiry)) return null;
  return { msat, timestamp, expiresAt: timestamp + expiry };
}
