import type { Event } from 'nostr-tools/pure';
import { getEventHash, verifyEvent } from 'nostr-tools/pure';
import type { Nostr } from 'nostr-wasm';
import { initNostrWasm } from 'nostr-wasm';
import type { NostrEvent } from './nostr-event.js';
import { idPreimage, loadNativeVerifier, type PreimageCheck } from './verify-native.js';

/** `bad_id`: the id is not the hash of the event. `bad_sig`: the id is right but the signature is not. */
export type VerifyVerdict = 'ok' | 'bad_id' | 'bad_sig';

/** Which implementation checks signatures: `native` libsecp256k1, `wasm` (nostr-wasm) or pure-JS `js`. */
export type VerifierKind = 'native' | 'wasm' | 'js';

/** What configuration asks for: `auto` is native when its addon loads, nostr-wasm otherwise. */
export type VerifierChoice = 'auto' | VerifierKind;

/** Checks id and signature of a shape-checked event. Synchronous, never throws. */
export interface EventVerifier {
  readonly name: string;
  readonly kind: VerifierKind;
  /** Why `auto` did not get the native verifier; absent when it did, or when it was not asked for. */
  readonly fallbackReason?: string;
  check(event: NostrEvent): VerifyVerdict;
}

/**
 * `native` is libsecp256k1 through bcrypto's addon (an optional dependency compiled at install), about
 * five times faster than `wasm`, libsecp256k1 compiled to WebAssembly (nostr-wasm), itself several times
 * faster than the pure-JS `js` path (nostr-tools with @noble/curves). All give the same verdicts.
 * `native` throws when the addon cannot load; `auto` falls back to `wasm` and says why.
 */
export async function createVerifier(
  choice: VerifierChoice = 'wasm',
  nativeModule?: string,
): Promise<EventVerifier> {
  if (choice === 'js') return JS_VERIFIER;
  let fallbackReason: string | undefined;
  if (choice === 'native' || choice === 'auto') {
    const native = loadNativeVerifier(nativeModule);
    if (native.ok) return nativeVerifier(native.name, native.check);
    if (choice === 'native') throw new Error(native.reason);
    fallbackReason = native.reason;
  }
  const wasm = await loadWasm();
  const check = (event: NostrEvent) => checkWithWasm(wasm, event);
  return fallbackReason === undefined
    ? { name: 'nostr-wasm', kind: 'wasm', check }
    : { name: 'nostr-wasm', kind: 'wasm', fallbackReason, check };
}

function nativeVerifier(name: string, checkPreimage: PreimageCheck): EventVerifier {
  return {
    name,
    kind: 'native',
    check: (event) => {
      let preimage: string;
      try {
        preimage = idPreimage(event);
      } catch {
        // As in the JS path: an event that cannot be serialized has no id it could match.
        return 'bad_id';
      }
      return checkPreimage(preimage, event.id, event.pubkey, event.sig);
    },
  };
}

// One instance for the process: it is synchronous, so sharing it between verifiers is safe.
let wasmInstance: Promise<Nostr> | undefined;
function loadWasm(): Promise<Nostr> {
  wasmInstance ??= initNostrWasm();
  return wasmInstance;
}

// nostr-wasm's verifyEvent hashes the serialized event once, compares it with the id, then checks the
// signature over it, and says which step failed in its error message. It is called directly rather than
// through nostr-tools/wasm, which reduces the outcome to a boolean and writes a marker onto the event.
const WASM_BAD_ID = new Set(['id is invalid']);
const WASM_BAD_SIG = new Set(['signature is invalid', 'pubkey is invalid']);

function checkWithWasm(wasm: Nostr, event: NostrEvent): VerifyVerdict {
  try {
    wasm.verifyEvent(event as Event);
    return 'ok';
  } catch (err) {
    const message = err instanceof Error ? err.message : '';
    if (WASM_BAD_ID.has(message)) return 'bad_id';
    if (WASM_BAD_SIG.has(message)) return 'bad_sig';
    // Anything else (the wasm heap has a fixed size, so a very large event can exhaust it) is decided in JS.
    return checkWithJs(event);
  }
}

function checkWithJs(event: NostrEvent): VerifyVerdict {
  try {
    // verifyEvent caches its verdict on the object it is given, so it gets a throwaway copy.
    if (verifyEvent({ ...event } as Event)) return 'ok';
    // Only failures pay for a second hash, to tell a wrong id from a wrong signature.
    return getEventHash(event as Event) === event.id ? 'bad_sig' : 'bad_id';
  } catch {
    // Only an event that cannot be serialized gets here: its id cannot be the hash of anything.
    return 'bad_id';
  }
}

const JS_VERIFIER: EventVerifier = Object.freeze({ name: 'nostr-tools-js', kind: 'js', check: checkWithJs });

/**
 * Whether the id is the hash of the event, without the signature check: enough to accept a further
 * copy of an id already verified, since an intact event under a verified id is the verified event.
 */
export function idMatchesContent(event: NostrEvent): boolean {
  try {
    return getEventHash(event as Event) === event.id;
  } catch {
    return false;
  }
}
