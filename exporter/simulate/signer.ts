import { createHash } from 'node:crypto';
import { initNostrWasm, type Nostr } from 'nostr-wasm';
import type { NostrEvent } from '../model/nostr-event.js';

/**
 * Deterministic NIP-01 signing for simulated traffic.
 *
 * BIP-340 signatures mix in 32 bytes of auxiliary randomness; the simulator fixes them to zero so the
 * same seed yields the same bytes. libsecp256k1 in WebAssembly signs about 6x faster than the pure-JS
 * path here. This instance is private to the simulator: nostr-wasm keeps the aux bytes in shared wasm
 * memory, and a caller that asked it for random aux would make our signatures vary.
 */
const wasm: Nostr = await initNostrWasm();
const ZERO_AUX = new Uint8Array(32);

export interface EventTemplate {
  readonly kind: number;
  readonly created_at: number;
  readonly tags: readonly (readonly string[])[];
  readonly content: string;
}

/** A simulator key pair. */
export interface SimKey {
  readonly name: string;
  readonly secretKey: Uint8Array;
  readonly pubkey: string;
}

export function deriveKey(name: string, label: string): SimKey {
  const secretKey = new Uint8Array(createHash('sha256').update(label).digest());
  return keyFromSecret(name, secretKey);
}

export function keyFromSecret(name: string, secretKey: Uint8Array): SimKey {
  return { name, secretKey, pubkey: Buffer.from(wasm.getPublicKey(secretKey)).toString('hex') };
}

/** Signs a template; the result's fields are in NIP-01 order so its JSON is stable. */
export function signEvent(template: EventTemplate, key: SimKey): NostrEvent {
  const draft = {
    kind: template.kind,
    created_at: template.created_at,
    tags: template.tags.map((tag) => [...tag]),
    content: template.content,
    pubkey: '',
    id: '',
    sig: '',
  };
  wasm.finalizeEvent(draft, key.secretKey, ZERO_AUX);
  return {
    id: draft.id,
    pubkey: draft.pubkey,
    created_at: draft.created_at,
    kind: draft.kind,
    tags: draft.tags,
    content: draft.content,
    sig: draft.sig,
  };
}

/** The NIP-01 id of an event's fields (for forged events whose pubkey is not the signer's). */
export function eventId(event: Omit<NostrEvent, 'id' | 'sig'>): string {
  const serial = JSON.stringify([0, event.pubkey, event.created_at, event.kind, event.tags, event.content]);
  return createHash('sha256').update(serial).digest('hex');
}
