import { decode } from 'nostr-tools/nip19';
import { getPublicKey } from 'nostr-tools/pure';

/**
 * Keys written by people in configuration and URLs: bech32 (`nsec1…`, `npub1…`, NIP-19) or 64 hex digits.
 * Errors name what was expected, never the value (a secret key must not reach a log or an error line).
 */

const HEX_64 = /^[0-9a-fA-F]{64}$/;

export class KeyFormatError extends Error {
  override readonly name = 'KeyFormatError';
}

/** A secret key from `nsec1…` or hex; throws KeyFormatError without quoting the input. */
export function parseSecretKey(text: string): Uint8Array {
  const value = text.trim();
  let key: Uint8Array | null = null;
  if (HEX_64.test(value)) key = Uint8Array.from(Buffer.from(value, 'hex'));
  else if (value.startsWith('nsec1')) {
    try {
      const decoded = decode(value);
      if (decoded.type === 'nsec') key = decoded.data;
    } catch {
      key = null;
    }
  }
  if (key === null) throw new KeyFormatError('expected an nsec1… key or 64 hex digits');
  try {
    getPublicKey(key); // rejects 0 and values past the curve order
  } catch {
    throw new KeyFormatError('not a valid secp256k1 secret key');
  }
  return key;
}

/** A public key as lower-case hex from `npub1…` or hex; throws KeyFormatError. */
export function parsePublicKey(text: string): string {
  const value = text.trim();
  if (HEX_64.test(value)) return value.toLowerCase();
  if (value.startsWith('npub1')) {
    try {
      const decoded = decode(value as `npub1${string}`);
      if (decoded.type === 'npub') return decoded.data;
    } catch {
      // fall through to the one error below
    }
  }
  throw new KeyFormatError('expected an npub1… key or 64 hex digits');
}

/** Whether `text` parses as a public key. */
export function isPublicKey(text: string): boolean {
  try {
    parsePublicKey(text);
    return true;
  } catch {
    return false;
  }
}

/** Whether `text` parses as a secret key. */
export function isSecretKey(text: string): boolean {
  try {
    parseSecretKey(text);
    return true;
  } catch {
    return false;
  }
}
