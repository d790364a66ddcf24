import { getEventHash } from 'nostr-tools/pure';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NostrEvent } from '../../exporter/model/nostr-event.js';
import { createVerifier, type EventVerifier } from '../../exporter/model/verify.js';
import { DVM_KEY, signed } from './support.js';

const verifiers: Record<'wasm' | 'js', EventVerifier> = {} as Record<'wasm' | 'js', EventVerifier>;
beforeAll(async () => {
  verifiers.wasm = await createVerifier();
  verifiers.js = await createVerifier('js');
});

const original = signed({
  kind: 5300,
  tags: [
    ['p', 'cd'.repeat(32)],
    ['param', 'max_results', '20'],
  ],
  content: 'quotes " backslash \\ newline \n tab \t unicode é 🎉 control \u0001',
});

/** The same event with fields changed and the id recomputed, so only the signature is wrong. */
function reIdentified(event: NostrEvent, change: Partial<NostrEvent>): NostrEvent {
  const changed = { ...event, ...change };
  return { ...changed, id: getEventHash({ ...changed, tags: changed.tags.map((tag) => [...tag]) }) };
}

const cases: [string, () => NostrEvent, string][] = [
  ['a correctly signed event', () => original, 'ok'],
  ['edited content, id kept', () => ({ ...original, content: 'edited' }), 'bad_id'],
  ['an added tag, id kept', () => ({ ...original, tags: [...original.tags, ['t', 'x']] }), 'bad_id'],
  ['a changed created_at, id kept', () => ({ ...original, created_at: original.created_at + 1 }), 'bad_id'],
  ['a changed kind, id kept', () => ({ ...original, kind: 6300 }), 'bad_id'],
  ['another id altogether', () => ({ ...original, id: 'ab'.repeat(32) }), 'bad_id'],
  ['edited content with a recomputed id', () => reIdentified(original, { content: 'edited' }), 'bad_sig'],
  ['a flipped signature byte', () => ({ ...original, sig: flipLastHex(original.sig) }), 'bad_sig'],
  [
    "another author's key with a recomputed id",
    () => reIdentified(original, { pubkey: signed({ kind: 1 }, DVM_KEY).pubkey }),
    'bad_sig',
  ],
  // x = 5 is not the x coordinate of any curve point: the key cannot even be parsed.
  ['a pubkey off the curve', () => reIdentified(original, { pubkey: `${'0'.repeat(63)}5` }), 'bad_sig'],
  ['an all-zero signature', () => ({ ...original, sig: '0'.repeat(128) }), 'bad_sig'],
];

function flipLastHex(hex: string): string {
  const last = hex.at(-1) === '0' ? '1' : '0';
  return hex.slice(0, -1) + last;
}

describe.each(['wasm', 'js'] as const)('the %s verifier', (impl) => {
  it.each(cases)('gives %s the verdict %s', (_name, make, verdict) => {
    expect(verifiers[impl].check(make())).toBe(verdict);
  });

  it('does not alter the event it checks', () => {
    const event = Object.freeze({
      ...original,
      tags: Object.freeze(original.tags.map((tag) => Object.freeze([...tag]))),
    });
    expect(verifiers[impl].check(event)).toBe('ok');
    expect(Object.getOwnPropertySymbols(event)).toEqual([]);
  });

  it('answers the same when asked twice (nothing is cached on the event)', () => {
    const forged = { ...original, content: 'edited' };
    expect(verifiers[impl].check(forged)).toBe('bad_id');
    expect(verifiers[impl].check(forged)).toBe('bad_id');
    expect(verifiers[impl].check(original)).toBe('ok');
  });
});

describe('createVerifier', () => {
  it('uses nostr-wasm by default and nostr-tools JS on request', () => {
    expect(verifiers.wasm.name).toBe('nostr-wasm');
    expect(verifiers.js.name).toBe('nostr-tools-js');
  });

  it('verifies an event too big for the wasm heap (about 1 MB) by falling back to JS', () => {
    const big = signed({ kind: 5050, content: 'x'.repeat(1_200_000) });
    expect(verifiers.wasm.check(big)).toBe('ok');
    expect(verifiers.wasm.check({ ...big, sig: flipLastHex(big.sig) })).toBe('bad_sig');
    expect(verifiers.wasm.check({ ...big, content: `${big.content}y` })).toBe('bad_id');
    // The wasm path still works afterwards.
    expect(verifiers.wasm.check(original)).toBe('ok');
  });
});
