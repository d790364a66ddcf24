/** Hex checks for NIP-01 fields and for ids written inside tags. */

const LOWER_HEX_64 = /^[0-9a-f]{64}$/;
const LOWER_HEX_128 = /^[0-9a-f]{128}$/;
const ANY_CASE_HEX_64 = /^[0-9a-fA-F]{64}$/;

/** An event id or pubkey field as NIP-01 requires it: 64 lower-case hex characters. */
export function isLowerHex64(value: unknown): value is string {
  return typeof value === 'string' && LOWER_HEX_64.test(value);
}

/** A signature field: 128 lower-case hex characters. */
export function isLowerHex128(value: unknown): value is string {
  return typeof value === 'string' && LOWER_HEX_128.test(value);
}

/**
 * An event id or pubkey written in a tag, lower-cased; null when it is not 64 hex characters.
 * Tags are written by every kind of client, so upper case is tolerated there (never in the event's own fields).
 */
export function hexIdFromTag(value: string | undefined): string | null {
  if (value === undefined || !ANY_CASE_HEX_64.test(value)) return null;
  return value.toLowerCase();
}
