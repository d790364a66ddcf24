import { bech32 } from '@scure/base';

/**
 * Builds BOLT-11 invoices that decoders accept: a correct bech32 checksum, the amount in the
 * human-readable part, and the usual tagged fields. The node signature is filler (65 bytes), since
 * nothing on the exporter's side checks it and the simulator has no Lightning node.
 */
export interface InvoiceFields {
  readonly amountMsat: number;
  /** Unix seconds; DVM invoices carry their feedback's created_at. */
  readonly timestamp: number;
  readonly paymentHash: Uint8Array;
  readonly paymentSecret: Uint8Array;
  /** A plain description (tag `d`)... */
  readonly description?: string;
  /** ...or the sha256 of a long one (tag `h`), as zap invoices commit to the zap request. */
  readonly descriptionHash?: Uint8Array;
  readonly expirySeconds: number;
  readonly signature: Uint8Array;
}

const TAG_PAYMENT_HASH = 1;
const TAG_EXPIRY = 6;
const TAG_DESCRIPTION = 13;
const TAG_PAYMENT_SECRET = 16;
const TAG_DESCRIPTION_HASH = 23;
const TAG_MIN_FINAL_CLTV = 24;

export function encodeInvoice(fields: InvoiceFields): string {
  if (fields.signature.length !== 65) throw new RangeError('an invoice signature is 65 bytes');
  const words: number[] = [...intToWords(fields.timestamp, 7)];
  pushTag(words, TAG_PAYMENT_HASH, bech32.toWords(fields.paymentHash));
  pushTag(words, TAG_PAYMENT_SECRET, bech32.toWords(fields.paymentSecret));
  if (fields.descriptionHash) pushTag(words, TAG_DESCRIPTION_HASH, bech32.toWords(fields.descriptionHash));
  else pushTag(words, TAG_DESCRIPTION, bech32.toWords(new TextEncoder().encode(fields.description ?? '')));
  pushTag(words, TAG_EXPIRY, intToWords(fields.expirySeconds));
  pushTag(words, TAG_MIN_FINAL_CLTV, intToWords(80));
  words.push(...bech32.toWords(fields.signature));
  return bech32.encode(`lnbc${amountPart(fields.amountMsat)}`, words, false);
}

/** The shortest exact amount: `m`, `u`, `n` (100 msat) or `p` (0.1 msat, a multiple of 10). */
export function amountPart(msat: number): string {
  if (!Number.isSafeInteger(msat) || msat <= 0) throw new RangeError(`invalid invoice amount ${msat}`);
  if (msat % 100_000_000 === 0) return `${msat / 100_000_000}m`;
  if (msat % 100_000 === 0) return `${msat / 100_000}u`;
  if (msat % 100 === 0) return `${msat / 100}n`;
  return `${msat * 10}p`;
}

function pushTag(words: number[], code: number, data: readonly number[]): void {
  if (data.length >= 1024) throw new RangeError('invoice field too long');
  words.push(code, data.length >> 5, data.length & 31, ...data);
}

/** Big-endian base-32 digits, at least `minWords` of them. */
function intToWords(value: number, minWords = 1): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest > 0) {
    out.unshift(rest % 32);
    rest = Math.floor(rest / 32);
  }
  while (out.length < minWords) out.unshift(0);
  return out;
}
