import { hash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { NostrEvent } from './nostr-event.js';
import type { VerifyVerdict } from './verify.js';

/** The part of bcrypto's BIP-340 module used here: libsecp256k1's schnorrsig verify, compiled at install. */
interface NativeSchnorr {
  verify(message: Buffer, signature: Buffer, publicKey: Buffer): boolean;
}

/** The NIP-01 serialization an event id is the SHA-256 of. */
export function idPreimage(event: NostrEvent): string {
  return JSON.stringify([0, event.pubkey, event.created_at, event.kind, event.tags, event.content]);
}

/** A verifier over an event's id preimage (text, or its UTF-8 bytes): what a worker thread receives. */
export type PreimageCheck = (
  preimage: string | Buffer,
  id: string,
  pubkey: string,
  sig: string,
) => VerifyVerdict;

export type NativeLoad =
  | { readonly ok: true; readonly name: string; readonly check: PreimageCheck }
  | { readonly ok: false; readonly reason: string };

/** bcrypto's native schnorr entry, required directly so that its NODE_BACKEND=js switch cannot swap in JS. */
export const NATIVE_MODULE = 'bcrypto/lib/native/schnorr.js';

/**
 * Loads the native BIP-340 verifier (bcrypto, an optional dependency built by node-gyp at install).
 * Never throws: when the package is absent or its addon did not build, says why, and the caller falls
 * back to nostr-wasm. `moduleId` exists for the test of that fallback.
 */
export function loadNativeVerifier(moduleId: string = NATIVE_MODULE): NativeLoad {
  let schnorr: NativeSchnorr;
  let backend: string;
  try {
    const require = createRequire(import.meta.url);
    schnorr = require(moduleId) as NativeSchnorr;
    const binding = require('bcrypto/lib/native/binding.js') as { USE_SECP256K1?: unknown };
    backend = binding.USE_SECP256K1 ? 'libsecp256k1' : 'torsion';
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return { ok: false, reason: `native verifier unavailable: ${message}` };
  }
  const check: PreimageCheck = (preimage, id, pubkey, sig) => {
    // One-shot hash (OpenSSL); the digest is compared as hex, the form the id arrives in.
    if (hash('sha256', preimage, 'hex') !== id) return 'bad_id';
    try {
      return schnorr.verify(Buffer.from(id, 'hex'), Buffer.from(sig, 'hex'), Buffer.from(pubkey, 'hex'))
        ? 'ok'
        : 'bad_sig';
    } catch {
      // bcrypto asserts on argument sizes; shape-checked hex always fits, so this is a wrong signature.
      return 'bad_sig';
    }
  };
  // Prove the addon works before trusting it: a good signature verifies and a flipped one does not.
  const pre = idPreimage(PROBE);
  const good = check(pre, PROBE.id, PROBE.pubkey, PROBE.sig);
  const flipped = check(pre, PROBE.id, PROBE.pubkey, `${PROBE.sig.slice(0, -1)}f`);
  if (good !== 'ok' || flipped !== 'bad_sig') {
    return { ok: false, reason: `native verifier failed its self-test (${good}, ${flipped})` };
  }
  return { ok: true, name: `bcrypto-${backend}`, check };
}

// A kind-1 event signed by nostr-tools' finalizeEvent, checked once at load.
const PROBE: NostrEvent = {
  kind: 1,
  created_at: 1_700_000_000,
  tags: [['t', 'probe']],
  content: 'native verifier self-test',
  pubkey: '2f78f1fe474f6ae444740a1043b007c816810fd91b95e6e556ae6fcb06b0c942',
  id: 'dedcbfa1710d828c826216b6b0e5075279476baaac05ed3f88a153b999ee38b5',
  sig: 'a59b69f4919b4b3fe691739133ec45609772d626bb1eedf696fb060cfbe8cba8658e823a2cadf247a66ddaf5dd523f4b92e72dad59679a6a06351f2cf4d21b6e',
};
