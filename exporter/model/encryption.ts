import type { Encryption } from './dvm-event.js';
import { hasTag, type Tags } from './tags.js';

// NIP-44 v2 payloads are base64 of version(1) || nonce(32) || ciphertext || mac(32): 132..87472 characters.
const NIP44_MIN_LENGTH = 132;
const NIP44_MAX_LENGTH = 87_472;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
// A first byte of 0x02 is the base64 character 'A' (000000) followed by one in 'g'..'v' (10xxxx).
const NIP44_V2_PREFIX = /^A[g-v]/;

/**
 * How a job event's private part is encrypted, judged by its shape only (nothing is decrypted).
 * Only an event with the `encrypted` tag counts as encrypted; `unknown` is an `encrypted` tag over content
 * that is neither NIP-04 (`<b64>?iv=<b64>`) nor NIP-44 v2.
 */
export function detectEncryption(tags: Tags, content: string): Encryption {
  if (!hasTag(tags, 'encrypted')) return 'none';
  if (content.includes('?iv=')) return 'nip04';
  if (looksLikeNip44v2(content)) return 'nip44';
  return 'unknown';
}

export function looksLikeNip44v2(content: string): boolean {
  return (
    content.length >= NIP44_MIN_LENGTH &&
    content.length <= NIP44_MAX_LENGTH &&
    content.length % 4 === 0 &&
    NIP44_V2_PREFIX.test(content) &&
    BASE64.test(content)
  );
}
