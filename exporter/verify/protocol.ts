import type { VerifyVerdict } from '../model/verify.js';

/**
 * What the main thread and a verifying thread exchange. A batch travels as UTF-8 bytes whose buffer is
 * transferred, not copied: per event, id (64 hex), pubkey (64), sig (128), then the id preimage, events
 * separated by newlines, which a JSON serialization never contains raw.
 */
const encoder = new TextEncoder();

export interface VerifyRequest {
  readonly seq: number;
  readonly count: number;
  readonly data: Uint8Array;
}

export interface VerifyReply {
  readonly seq: number;
  /** One VERDICT_CODE per event, in batch order. */
  readonly verdicts: Uint8Array;
}

export const VERDICT_CODE: Readonly<Record<VerifyVerdict, number>> = { ok: 0, bad_id: 1, bad_sig: 2 };
export const VERDICT_OF: readonly VerifyVerdict[] = ['ok', 'bad_id', 'bad_sig'];

/** The parts of records (id, pubkey, sig, preimage, then '\n' before the next) as bytes of their own buffer. */
export function encodeParts(parts: readonly string[]): Uint8Array {
  return encoder.encode(parts.join(''));
}

/** Calls `each` per record: the hex fields as text, the preimage as its UTF-8 bytes (what is hashed). */
export function decodeBatch(
  data: Uint8Array,
  each: (id: string, pubkey: string, sig: string, preimage: Buffer) => void,
): void {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(10, start);
    if (end === -1) end = bytes.length;
    each(
      bytes.toString('latin1', start, start + 64),
      bytes.toString('latin1', start + 64, start + 128),
      bytes.toString('latin1', start + 128, start + 256),
      bytes.subarray(start + 256, end),
    );
    start = end + 1;
  }
}
