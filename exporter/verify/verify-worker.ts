import { parentPort, workerData } from 'node:worker_threads';
import type { NostrEvent } from '../model/nostr-event.js';
import {
  createVerifier,
  type EventVerifier,
  type VerifierKind,
  type VerifyVerdict,
} from '../model/verify.js';
import { loadNativeVerifier, type PreimageCheck } from '../model/verify-native.js';
import { decodeBatch, VERDICT_CODE, type VerifyReply, type VerifyRequest } from './protocol.js';

/**
 * A verifying thread: receives batches of id preimages, answers one verdict code per event. It imports
 * the verifiers and nothing else of the exporter (the store's engine cannot live in a worker thread).
 */
const kind = (workerData as { kind: VerifierKind }).kind;
const port = parentPort;
if (!port) throw new Error('verify-worker runs as a worker thread');

const check = await preimageCheck(kind);
port.on('message', (request: VerifyRequest) => {
  const verdicts = new Uint8Array(request.count);
  let i = 0;
  decodeBatch(request.data, (id, pubkey, sig, preimage) => {
    verdicts[i++] = VERDICT_CODE[check(preimage, id, pubkey, sig)];
  });
  const reply: VerifyReply = { seq: request.seq, verdicts };
  port.postMessage(reply, [verdicts.buffer as ArrayBuffer]);
});
port.postMessage({ ready: true });

async function preimageCheck(wanted: VerifierKind): Promise<PreimageCheck> {
  if (wanted === 'native') {
    const native = loadNativeVerifier();
    if (native.ok) return native.check;
    throw new Error(native.reason);
  }
  return fromEvent(await createVerifier(wanted));
}

/** wasm and JS verify whole events: the preimage is parsed back (JSON round-trips strings exactly). */
function fromEvent(verifier: EventVerifier): PreimageCheck {
  return (preimage, id, pubkey, sig): VerifyVerdict => {
    const text = typeof preimage === 'string' ? preimage : preimage.toString('utf8');
    const [, , created_at, kind, tags, content] = JSON.parse(text) as [
      0,
      string,
      number,
      number,
      string[][],
      string,
    ];
    const event: NostrEvent = { id, pubkey, created_at, kind, tags, content, sig };
    return verifier.check(event);
  };
}
