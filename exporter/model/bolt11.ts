import { createRequire } from 'node:module';

/** BOLT-11's default when the invoice has no expiry field. */
const DEFAULT_EXPIRY_SECONDS = 3600;

export interface InvoiceFacts {
  /** The amount in millisats; null when the invoice leaves the amount to the payer. */
  readonly msat: number | null;
  readonly timestamp: number;
  /** timestamp + expiry (3600 s when the invoice does not say). */
  readonly expiresAt: number;
}

interface Bech32 {
  decode(text: string, limit: number): { prefix: string; words: number[] };
}

// The decoder's own amount rules (exported, untyped), and the bech32 decoder it uses (its own
// @scure/base), so checksum, character and amount rules are exactly the decoder's.
const decoderPath = createRequire(import.meta.url).resolve('light-bolt11-decoder');
const { hrpToMillisat } = createRequire(import.meta.url)(decoderPath) as {
  hrpToMillisat(hrp: string, asString: true): string;
};
const { bech32 } = createRequire(decoderPath)('@scure/base') as { bech32: Bech32 };

/** The coin prefixes light-bolt11-decoder knows (bitcoin, testnet, signet, regtest, simnet). */
const NETWORKS = new Set(['bc', 'tb', 'tbs', 'bcrt', 'sb']);
const SIGNATURE_WORDS = 104;
const EXPIRY_TAG = 6;

/**
 * Decodes the parts of a bolt11 invoice the exporter uses. Null when it is not an invoice: a lightning
 * address, a `lightning:` URI, a bad checksum, an unknown network or amount, and an amount past 2^53 msat,
 * which cannot be represented (no real invoice comes near: 21M BTC is 2.1e18 msat).
 *
 * It accepts exactly what light-bolt11-decoder's `decode` accepts and reads the same values (a test
 * compares the two), but reads only the amount, the timestamp and the expiry field: `decode` turns every
 * field into bytes, hex and text, which cost about 100 µs an invoice.
 */
export function decodeInvoice(text: string): InvoiceFacts | null {
  if (text.slice(0, 2).toLowerCase() !== 'ln') return null;
  let prefix: string;
  let words: number[];
  try {
    ({ prefix, words } = bech32.decode(text, Number.MAX_SAFE_INTEGER));
  } catch {
    return null;
  }
  // The decoder's reading of the human-readable part: ln + network + optional amount and multiplier.
  let parts = prefix.match(/^ln(\S+?)(\d*)([a-zA-Z]?)$/);
  if (parts && !parts[2]) parts = prefix.match(/^ln(\S+)$/);
  if (!parts || !NETWORKS.has(parts[1] as string)) return null;
  let msat: number | null = null;
  if (parts[2]) {
    try {
      msat = Number(hrpToMillisat(parts[2] + (parts[3] ?? ''), true));
    } catch {
      return null;
    }
    if (!Number.isSafeInteger(msat)) return null;
  }
  const end = Math.max(0, words.length - SIGNATURE_WORDS);
  const timestamp = wordsToInt(words, 0, Math.min(7, end));
  let expiry = DEFAULT_EXPIRY_SECONDS;
  // Tagged fields: a 5-bit type, a 10-bit length in words, the data; the last expiry field counts.
  for (let i = 7; i < end; ) {
    const tag = words[i] as number;
    const length = wordsToInt(words, i + 1, Math.min(i + 3, end));
    const dataStart = Math.min(i + 3, end);
    const dataEnd = Math.min(dataStart + length, end);
    if (tag === EXPIRY_TAG) expiry = wordsToInt(words, dataStart, dataEnd);
    i = dataEnd;
    if (dataStart === end) break;
  }
  if (!Number.isFinite(timestamp) || !Number.isFinite(expiry)) return null;
  return { msat, timestamp, expiresAt: timestamp + expiry };
}

/** Big-endian base-32 words as a number, summed from the least significant word as the decoder does. */
function wordsToInt(words: readonly number[], start: number, end: number): number {
  let total = 0;
  for (let k = 0; end - 1 - k >= start; k++) total += (words[end - 1 - k] as number) * 32 ** k;
  return total;
}
