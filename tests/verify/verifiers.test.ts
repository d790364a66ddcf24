import { getEventHash } from 'nostr-tools/pure';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NostrEvent } from '../../exporter/model/nostr-event.js';
import { DEFAULT_SHAPE_LIMITS, parseEventText } from '../../exporter/model/validate.js';
import { createVerifier, type EventVerifier, type VerifyVerdict } from '../../exporter/model/verify.js';
import { idPreimage, loadNativeVerifier } from '../../exporter/model/verify-native.js';
import { DEFAULT_SIMULATION, simulate } from '../../exporter/simulate/index.js';
import { VERDICT_OF } from '../../exporter/verify/protocol.js';
import { VerifyPool } from '../../exporter/verify/verify-pool.js';
import { CUSTOMER_KEY, DVM_KEY, loadRealEvents, signed } from '../model/support.js';

/**
 * Every verifier gives every event the same verdict: the native addon (when it is installed), nostr-wasm
 * and the pure-JS path, on this thread and on worker threads, over real events, the simulator's traffic
 * with its forged and malformed events, and signed events full of hostile strings.
 */
const NOW = 2_000_000_000;
const native = loadNativeVerifier();

interface Case {
  readonly name: string;
  readonly event: NostrEvent;
  /** Known independently of any verifier under test (the simulator, or how the case was made). */
  readonly expected?: VerifyVerdict;
}

function shaped(text: string): NostrEvent | null {
  const result = parseEventText(text, DEFAULT_SHAPE_LIMITS, NOW);
  return result.ok ? result.event : null;
}

function realCases(): Case[] {
  return loadRealEvents().flatMap(({ where, text }) => {
    const event = shaped(text);
    return event ? [{ name: where, event }] : [];
  });
}

function simulatorCases(): Case[] {
  const cases: Case[] = [];
  const items = simulate({
    ...DEFAULT_SIMULATION,
    durationSeconds: 1800,
    requestsPerMinute: 60,
    malformedShare: 0.2,
  });
  for (const item of items) {
    const event = shaped(item.line);
    if (!event) continue;
    const reason = item.expect.outcome === 'rejected' ? item.expect.reason : null;
    // bad_id and bad_sig are what the simulator forged; everything else it signed correctly.
    const expected: VerifyVerdict | undefined =
      reason === 'bad_id' || reason === 'bad_sig' ? reason : reason === null ? 'ok' : undefined;
    cases.push(expected === undefined ? { name: item.note, event } : { name: item.note, event, expected });
  }
  return cases;
}

/** Strings a signed event may carry: escapes, control characters, lone surrogates, astral planes, size. */
const HOSTILE = [
  '',
  '\u0000',
  '"\\',
  '\u2028\u2029',
  '\ud800',
  'x\udfffy',
  '🎉'.repeat(50),
  '\u007f\u0080\u00ff',
  '</script>',
  '{"__proto__":{"polluted":1}}',
  '\r\n\t\b\f',
  'é'.repeat(20_000),
  'a'.repeat(100_000),
];

function hostileCases(): Case[] {
  const cases: Case[] = [];
  HOSTILE.forEach((text, i) => {
    const event = signed({
      kind: 5300,
      content: text,
      tags: [['param', text, text], [text], ['p', 'ab'.repeat(32)]],
    });
    cases.push({ name: `hostile ${i}`, event, expected: 'ok' });
    cases.push({
      name: `hostile ${i}, edited`,
      event: { ...event, content: `${text}!` },
      expected: 'bad_id',
    });
    const other = { ...event, pubkey: signed({ kind: 1 }, DVM_KEY).pubkey };
    cases.push({
      name: `hostile ${i}, re-identified under another key`,
      event: { ...other, id: getEventHash({ ...other, tags: other.tags.map((t) => [...t]) }) },
      expected: 'bad_sig',
    });
  });
  const base = signed({ kind: 5050, content: 'base' }, CUSTOMER_KEY);
  const reId = (e: NostrEvent): NostrEvent => ({
    ...e,
    id: getEventHash({ ...e, tags: e.tags.map((t) => [...t]) }),
  });
  cases.push({ name: 'zero signature', event: { ...base, sig: '0'.repeat(128) }, expected: 'bad_sig' });
  cases.push({ name: 'all-f signature', event: { ...base, sig: 'f'.repeat(128) }, expected: 'bad_sig' });
  cases.push({
    name: 'pubkey off the curve',
    event: reId({ ...base, pubkey: `${'0'.repeat(63)}5` }),
    expected: 'bad_sig',
  });
  cases.push({
    name: 'pubkey past the field',
    event: reId({ ...base, pubkey: 'f'.repeat(64) }),
    expected: 'bad_sig',
  });
  cases.push({ name: 'zero pubkey', event: reId({ ...base, pubkey: '0'.repeat(64) }), expected: 'bad_sig' });
  cases.push({ name: 'another id', event: { ...base, id: '0'.repeat(64) }, expected: 'bad_id' });
  return cases;
}

const cases: Case[] = [...realCases(), ...simulatorCases(), ...hostileCases()];
const verifiers: EventVerifier[] = [];
let reference: VerifyVerdict[] = [];

beforeAll(async () => {
  // The JS path (@noble/curves through nostr-tools) is the reference the others are held to.
  const js = await createVerifier('js');
  reference = cases.map((c) => js.check(c.event));
  verifiers.push(await createVerifier('wasm'));
  if (native.ok) verifiers.push(await createVerifier('native'));
}, 240_000);

describe('verdicts', () => {
  it('cover real events, simulator traffic with forgeries, and hostile strings', () => {
    expect(cases.filter((c) => c.name.includes('/')).length).toBeGreaterThan(20);
    const counts = new Map<VerifyVerdict, number>();
    for (const verdict of reference) counts.set(verdict, (counts.get(verdict) ?? 0) + 1);
    expect(counts.get('ok')).toBeGreaterThan(500);
    expect(counts.get('bad_id')).toBeGreaterThan(30);
    expect(counts.get('bad_sig')).toBeGreaterThan(30);
  });

  it('match what the simulator forged and how the hostile cases were made', () => {
    cases.forEach((c, i) => {
      if (c.expected !== undefined) expect(reference[i], c.name).toBe(c.expected);
    });
  });

  it('are the same from every verifier on this thread', () => {
    for (const verifier of verifiers) {
      const verdicts = cases.map((c) => verifier.check(c.event));
      expect(verdicts, verifier.name).toEqual(reference);
    }
  });
});

describe.each([...(native.ok ? (['native'] as const) : []), 'wasm'] as const)(
  'the %s verifier on worker threads',
  (kind) => {
    let pool: VerifyPool;
    beforeAll(async () => {
      pool = await VerifyPool.start(kind, 3);
    });
    afterAll(async () => {
      await pool.close();
    });

    it('gives the same verdicts, with batches in flight on several threads at once', async () => {
      const encoder = new TextEncoder();
      const batches: { start: number; promise: Promise<Uint8Array> }[] = [];
      for (let start = 0; start < cases.length; start += 47) {
        const slice = cases.slice(start, start + 47);
        const data = encoder.encode(
          slice.map(({ event: e }) => e.id + e.pubkey + e.sig + idPreimage(e)).join('\n'),
        );
        batches.push({ start, promise: pool.verify(data, slice.length) });
      }
      expect(batches.length).toBeGreaterThan(6);
      const verdicts: VerifyVerdict[] = [];
      for (const batch of batches) {
        const codes = await batch.promise;
        codes.forEach((code, i) => {
          verdicts[batch.start + i] = VERDICT_OF[code] as VerifyVerdict;
        });
      }
      expect(verdicts).toEqual(reference);
    });
  },
);

describe('without the native addon', () => {
  it('auto falls back to nostr-wasm and says why; native refuses to start', async () => {
    const fallback = await createVerifier('auto', 'no-such-native-module');
    expect(fallback.name).toBe('nostr-wasm');
    expect(fallback.kind).toBe('wasm');
    expect(fallback.fallbackReason).toMatch(
      /native verifier unavailable: Cannot find module 'no-such-native-module'/,
    );
    await expect(createVerifier('native', 'no-such-native-module')).rejects.toThrow(
      /native verifier unavailable/,
    );
  });

  it('auto is the native verifier when the addon loads', async () => {
    const auto = await createVerifier('auto');
    expect(auto.name).toBe(native.ok ? 'bcrypto-libsecp256k1' : 'nostr-wasm');
  });
});
