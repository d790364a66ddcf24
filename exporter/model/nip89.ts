import type { DvmAnnouncement, DvmProfile, Recommendation } from './dvm-event.js';
import type { NostrEvent } from './nostr-event.js';
import { firstTag, parseDecimal } from './tags.js';

/** A 31990 whose job kinds (`k` tags in 5000-5999) are already known to be non-empty. */
export function parseAnnouncement(event: NostrEvent, kinds: readonly number[]): DvmAnnouncement {
  return {
    role: 'announcement',
    event,
    // Addressable events without a `d` tag are keyed by the empty string (NIP-01).
    d: firstTag(event.tags, 'd')?.[1] ?? '',
    kinds,
    profile: parseProfile(event.content),
  };
}

/** `31989`: `["d", <kind>]` and `["a", "31990:<pubkey>:<d>", ...]` per recommended handler. */
export function parseRecommendation(event: NostrEvent): Recommendation {
  const handlers = new Set<string>();
  for (const tag of event.tags) {
    const address = tag[1];
    if (tag[0] === 'a' && address?.startsWith('31990:')) handlers.add(address);
  }
  return {
    role: 'recommendation',
    event,
    supportedKind: parseDecimal(firstTag(event.tags, 'd')?.[1]),
    handlers: [...handlers],
  };
}

const EMPTY_PROFILE: DvmProfile = Object.freeze({
  name: null,
  picture: null,
  about: null,
  lud16: null,
  supportsEncryption: null,
  acceptsNutZaps: null,
  amount: null,
  nip90Params: null,
});

/**
 * The kind-0-like JSON a DVM puts in its announcement. Optional, and written by hand often enough that
 * every field is checked for its type; content that is not a JSON object gives an empty profile.
 */
export function parseProfile(content: string): DvmProfile {
  if (content.trim() === '') return EMPTY_PROFILE;
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch {
    return EMPTY_PROFILE;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return EMPTY_PROFILE;
  const json = value as Record<string, unknown>;
  return {
    name: text(json.name),
    picture: text(json.picture) ?? text(json.image),
    about: text(json.about),
    lud16: text(json.lud16),
    // The DVM spec repository spells it `encryptionSupported`.
    supportsEncryption: flag(json.supportsEncryption) ?? flag(json.encryptionSupported),
    acceptsNutZaps: flag(json.acceptsNutZaps),
    // "free", "flexible" or a number of sats, as text or as a JSON number.
    amount:
      typeof json.amount === 'number' && Number.isFinite(json.amount)
        ? String(json.amount)
        : text(json.amount),
    nip90Params: json.nip90Params ?? null,
  };
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function flag(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return null;
}
