// @noble/curves is nostr-tools' own Schnorr implementation, used here only to look past the id check.
import { schnorr } from '@noble/curves/secp256k1.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { classify } from '../../exporter/model/classify.js';
import type { NostrEvent } from '../../exporter/model/nostr-event.js';
import { DEFAULT_SHAPE_LIMITS, parseEventText } from '../../exporter/model/validate.js';
import { createVerifier, type EventVerifier, type VerifyVerdict } from '../../exporter/model/verify.js';
import { loadRealEvents } from './support.js';

/**
 * What the fixtures' README documents for each event: lines whose id does not match their content
 * (edited after signing), and the role every valid one must get.
 */
const EXPECTED: Record<string, { verdict: VerifyVerdict; outcome: string }> = {
  'dvmdash-embedded-requests/events.jsonl:1': { verdict: 'ok', outcome: 'request' },
  'dvmdash-embedded-requests/events.jsonl:2': { verdict: 'ok', outcome: 'request' },
  'dvmdash-embedded-requests/events.jsonl:3': { verdict: 'ok', outcome: 'request' },
  'dvmdash-embedded-requests/events.jsonl:4': { verdict: 'ok', outcome: 'request' },
  'dvmdash-embedded-requests/events.jsonl:5': { verdict: 'ok', outcome: 'request' },
  // Decrypted by a DVM and re-embedded with plaintext params.
  'dvmdash-embedded-requests/events.jsonl:6': { verdict: 'bad_id', outcome: 'request' },
  'dvmdash-embedded-requests/events.jsonl:7': { verdict: 'ok', outcome: 'request' },
  'dvmdash-embedded-requests/events.jsonl:8': { verdict: 'ok', outcome: 'request' },
  'dvmdash-embedded-requests/events.jsonl:9': { verdict: 'ok', outcome: 'request' },
  'gabrielmoura-nostr-relay-server/events.jsonl:1': { verdict: 'ok', outcome: 'request' },
  'nostr-dev-kit-ndk/events.jsonl:1': { verdict: 'ok', outcome: 'not_dvm' },
  'nostr-dev-kit-ndk/events.jsonl:2': { verdict: 'ok', outcome: 'not_dvm' },
  'nostur-com-nostur-ios-public/events.jsonl:1': { verdict: 'ok', outcome: 'not_dvm' },
  'nostur-com-nostur-ios-public/events.jsonl:2': { verdict: 'ok', outcome: 'recommendation' },
  'nostur-com-nostur-ios-public/events.jsonl:3': { verdict: 'ok', outcome: 'recommendation' },
  'rust-nostr-nostr/embedded-request-invalid-id.jsonl:1': { verdict: 'bad_id', outcome: 'request' },
  'rust-nostr-nostr/events.jsonl:1': { verdict: 'ok', outcome: 'result' },
  'vertex-lab-relay-readme/events.jsonl:1': { verdict: 'bad_id', outcome: 'request' },
  'vertex-lab-relay-readme/events.jsonl:2': { verdict: 'bad_id', outcome: 'result' },
  'vertex-lab-relay-readme/events.jsonl:3': { verdict: 'ok', outcome: 'request' },
  'vertex-lab-relay-readme/events.jsonl:4': { verdict: 'bad_id', outcome: 'result' },
  'vertex-lab-relay-readme/events.jsonl:5': { verdict: 'bad_id', outcome: 'request' },
  'vertex-lab-relay-readme/events.jsonl:6': { verdict: 'bad_id', outcome: 'result' },
  'vertex-lab-relay-readme/events.jsonl:7': { verdict: 'ok', outcome: 'request' },
  'vertex-lab-relay-readme/events.jsonl:8': { verdict: 'ok', outcome: 'result' },
  'vertex-lab-relay-readme/events.jsonl:9': { verdict: 'ok', outcome: 'feedback' },
  'vertex-lab-relay-readme/events.jsonl:10': { verdict: 'bad_id', outcome: 'request' },
  'vertex-lab-relay-readme/events.jsonl:11': { verdict: 'bad_id', outcome: 'result' },
};

const real = loadRealEvents();
// The clock far ahead of every fixture: none of them is "from the future".
const NOW = 2_000_000_000;

function parsed(text: string): NostrEvent {
  const result = parseEventText(text, DEFAULT_SHAPE_LIMITS, NOW);
  if (!result.ok) throw new Error(`${result.reason}: ${result.detail}`);
  return result.event;
}

/** The signature checked over the claimed id, skipping the hash: did the editor keep a valid signature? */
function signatureCoversClaimedId(event: NostrEvent): boolean {
  const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));
  return schnorr.verify(bytes(event.sig), bytes(event.id), bytes(event.pubkey));
}

let jsVerifier: EventVerifier;
let wasmVerifier: EventVerifier;
beforeAll(async () => {
  wasmVerifier = await createVerifier('wasm');
  jsVerifier = await createVerifier('js');
});

describe('real events from the fixtures', () => {
  it('are all listed here, and the README counts hold (28 events, 19 valid, 9 edited)', () => {
    expect(real.map((event) => event.where).sort()).toEqual(Object.keys(EXPECTED).sort());
    const verdicts = Object.values(EXPECTED).map((entry) => entry.verdict);
    expect(verdicts.filter((verdict) => verdict === 'ok')).toHaveLength(19);
    expect(verdicts.filter((verdict) => verdict === 'bad_id')).toHaveLength(9);
  });

  it.each(real.map((event) => [event.where, event] as const))('%s: shape, verdict, role', (where, event) => {
    const expected = EXPECTED[where]!;
    const shaped = parsed(event.text);
    expect(shaped).toEqual(event.json);
    expect(wasmVerifier.check(shaped)).toBe(expected.verdict);
    expect(jsVerifier.check(shaped)).toBe(expected.verdict);
    const classified = classify(shaped);
    expect(classified.ok ? classified.event.role : classified.reason).toBe(expected.outcome);
  });

  it('reject every edited event as bad_id, although most still carry a signature valid over the claimed id', () => {
    const edited = real.filter((event) => EXPECTED[event.where]!.verdict === 'bad_id');
    const signedOverClaimedId = edited.filter((event) => signatureCoversClaimedId(event.json));
    // Vertex line 5 is the one whose signature was damaged too.
    expect(signedOverClaimedId.map((event) => event.where)).not.toContain(
      'vertex-lab-relay-readme/events.jsonl:5',
    );
    expect(signedOverClaimedId).toHaveLength(8);
    for (const event of signedOverClaimedId)
      expect(wasmVerifier.check(parsed(event.text)), event.where).toBe('bad_id');
  });

  it('link a result by its e tag, never through the request it embeds', () => {
    const result = real.find((event) => event.where === 'rust-nostr-nostr/events.jsonl:1')!;
    const embeddedText = result.json.tags.find((tag) => tag[0] === 'request')![1]!;
    const embedded = JSON.parse(embeddedText) as { sig: string; id?: string };
    const fixture = real.find((event) => event.where.startsWith('rust-nostr-nostr/embedded'))!.json;
    // The embedded copy is the bad_id fixture: same signature, re-serialized.
    expect(embedded.sig).toBe(fixture.sig);
    const classified = classify(parsed(result.text));
    expect(classified.ok && classified.event.role === 'result' && classified.event.requestId).toBe(
      fixture.id,
    );
  });

  it('read the Vertex examples: param-only requests, e+p results, error feedback with the text in the tag', () => {
    const byWhere = (where: string) => {
      const result = classify(parsed(real.find((event) => event.where === where)!.text));
      if (!result.ok) throw new Error(result.detail);
      return result.event;
    };
    const request = byWhere('vertex-lab-relay-readme/events.jsonl:7');
    expect(request).toMatchObject({ role: 'request', kind: 5316, inputs: [], testKey: true });
    const result = byWhere('vertex-lab-relay-readme/events.jsonl:8');
    expect(result).toMatchObject({ role: 'result', requestId: request.event.id, requestKind: 5316 });
    expect(byWhere('vertex-lab-relay-readme/events.jsonl:9')).toMatchObject({
      role: 'feedback',
      status: 'error',
      statusText: expect.stringMatching(/^error decoding target key/),
      customer: '79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798',
    });
  });

  it('read the chained overlay request (two job inputs, one marked background)', () => {
    const result = classify(
      parsed(real.find((event) => event.where === 'dvmdash-embedded-requests/events.jsonl:5')!.text),
    );
    expect(result.ok && result.event.role === 'request' && result.event.jobInputs).toEqual([
      '7da7829faf2b21b4a0073660d2e1bd1b9f416e6f2ff38ea5c27630c07b647d6d',
      'ec5a53d349b8bbfd69049ababbd14d68a31e9e3c1efabae1d98a8afdbff4bcfe',
    ]);
  });
});
