import type { Rng } from './rng.js';

/** Plausible payloads: what real customers ask and real DVMs return, enough to look right on a dashboard. */

export const SIM_RELAYS = [
  'wss://relay.damus.io',
  'wss://nos.lol',
  'wss://relay.primal.net',
  'wss://relay.nostr.band',
];

const PROMPTS = [
  'a lighthouse at dusk, oil painting',
  'an ostrich wearing a tiny crown, studio photo',
  'isometric pixel art of a bitcoin mine in the mountains',
  'watercolor of a fox reading a newspaper',
  'a cozy cabin under the northern lights',
];
const TEXTS = [
  'Nostr is a simple, open protocol that enables global, decentralized, censorship-resistant social media.',
  'Data Vending Machines turn data and compute into a marketplace where anyone can offer a service.',
  'Zaps are lightning payments attached to nostr events, with a public receipt.',
  'The relay did not answer, so the client tried the next one on the list.',
];
const QUESTIONS = [
  'Explain the difference between NIP-04 and NIP-44 encryption.',
  'Write a haiku about relays.',
  'Summarize the latest bitcoin core release notes.',
  'What is a data vending machine?',
];
const LANGUAGES = ['es', 'de', 'fr', 'ja', 'pt', 'it'];
const MODELS = ['llama-3.1-8b', 'mistral-7b-instruct', 'qwen2.5-14b'];
const ERRORS = [
  'model overloaded, try again later',
  'could not fetch input url',
  'out of GPU memory',
  'unsupported language pair',
  'input too long',
];
const MEDIA_HOSTS = [
  'https://image.nostr.build',
  'https://blossom.primal.net',
  'https://cdn.satellite.earth',
];

export function prompt(rng: Rng): string {
  return rng.pick(PROMPTS);
}
export function text(rng: Rng): string {
  return rng.pick(TEXTS);
}
export function question(rng: Rng): string {
  return rng.pick(QUESTIONS);
}
export function language(rng: Rng): string {
  return rng.pick(LANGUAGES);
}
export function model(rng: Rng): string {
  return rng.pick(MODELS);
}
export function errorMessage(rng: Rng): string {
  return rng.pick(ERRORS);
}
export function relaySubset(rng: Rng): string[] {
  const count = rng.int(2, SIM_RELAYS.length);
  return SIM_RELAYS.slice(0, count);
}
export function mediaUrl(rng: Rng, extension: string): string {
  return `${rng.pick(MEDIA_HOSTS)}/${rng.hex(16)}.${extension}`;
}

/** NIP-04 payload shape: `<base64 ciphertext>?iv=<base64 16 bytes>`. Never decrypted by anyone. */
export function nip04Payload(rng: Rng, plaintextLength: number): string {
  const cipherLength = (Math.floor(plaintextLength / 16) + 1) * 16;
  return `${b64(rng.bytes(cipherLength))}?iv=${b64(rng.bytes(16))}`;
}

/** NIP-44 v2 payload shape: base64(0x02 ‖ 32-byte nonce ‖ ciphertext ‖ 32-byte mac). */
export function nip44Payload(rng: Rng, plaintextLength: number): string {
  // NIP-44 pads the plaintext to a power-of-two-ish size with a 2-byte length prefix.
  const padded = Math.max(32, 2 ** Math.ceil(Math.log2(plaintextLength + 2)));
  const bytes = new Uint8Array(1 + 32 + padded + 32);
  bytes.set(rng.bytes(bytes.length));
  bytes[0] = 2;
  return b64(bytes);
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

/** A content discovery result: a stringified list of `e` tags (what 6300s carry). */
export function feedContent(rng: Rng): string {
  const count = rng.int(3, 8);
  const tags: string[][] = [];
  for (let i = 0; i < count; i++) tags.push(['e', rng.hex(32)]);
  return JSON.stringify(tags);
}

/** A Vertex-style ranking: JSON in content, nothing in tags. */
export function rankingContent(rng: Rng): string {
  const count = rng.int(2, 5);
  const ranks: { pubkey: string; rank: number }[] = [];
  for (let i = 0; i < count; i++)
    ranks.push({ pubkey: rng.hex(32), rank: Math.round(rng.float() * 1e4) / 1e4 });
  return JSON.stringify(ranks);
}
