import type { VerifyVerdict } from '../model/verify.js';

/**
 * What the main thread and a verifying thread exchange. A batch travels as one string (cheap to copy
 * between threads): per event, id (64 hex), pubkey (64), sig (128), then the id preimage, events
 * separated by newlines, which a JSON serialization never contains raw.
 */
export interface VerifyRequest {
  readonly seq: number;
  readonly count: number;
  readonly data: string;
}

export interface VerifyReply {
  readonly seq: number;
  /** One VERDICT_CODE per event, in batch order. */
  readonly verdicts: Uint8Array;
}

export const VERDICT_CODE: Readonly<Record<VerifyVerdict, number>> = { ok: 0, bad_id: 1, bad_sig: 2 };
export const VERDICT_OF: readonly VerifyVerdict[] = ['ok', 'bad_id', 'bad_sig'];

export function encodeRecord(id: string, pubkey: string, sig: string, preimage: string): string {
  return id + pubkey + sig + preimage;
}

export function decodeBatch(
  data: string,
  each: (id: string, pubkey: string, sig: string, preimage: string) => void,
): void {
  let start = 0;
  while (start < data.length) {
    let end = data.indexOf('\n', start);
    if (end === -1) end = data.length;
    each(
      data.slice(start, start + 64),
      data.slice(start + 64, start + 128),
      data.slice(start + 128, start + 256),
      data.slice(start + 256, end),
    );
    start = end + 1;
  }
}
