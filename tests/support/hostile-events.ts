import fc from 'fast-check';
import type { NostrEvent } from '../../exporter/model/nostr-event.js';
import { deriveKey, type EventTemplate, type SimKey, signEvent } from '../../exporter/simulate/signer.js';

/**
 * Validly signed events carrying hostile strings, numbers and shapes: what anyone may publish. Signed
 * with the simulator's signer, so every one passes id and signature checks and reaches the sinks.
 */

export const HOSTILE_CUSTOMER: SimKey = deriveKey('hostile customer', 'tests/hostile/customer');
export const HOSTILE_DVM: SimKey = deriveKey('hostile dvm', 'tests/hostile/dvm');

/** Strings the store must take: lone surrogates, NUL, bidi overrides, escapes, quotes, huge. */
export const HOSTILE_STRINGS: Readonly<Record<string, string>> = {
  loneHigh: '\ud800',
  loneLow: 'x\udc00y',
  reversedPair: '\udc00\ud800',
  highAtEnd: `ok ${'\ud83d'}`,
  nul: 'a\u0000b\u0000',
  controls: '\u0001\u0008\u001f\u007f\u0085',
  bidi: '\u202eevil\u202c \u2066iso\u2069 \u200b\u200d\ufeff',
  backslashes: '\\ \\\\ \\u0000 \\ud800 \\" \\n',
  quotes: `"'\`" ] } [ { ,`,
  jsonish: '{"id":"x"}\n["EVENT","s",{}]',
  nonBmp: '😀 𝕏 \u{10ffff}',
  sqlish: "'; DROP TABLE events; --",
  huge: 'h'.repeat(20_000),
};

export function sign(template: EventTemplate, key: SimKey = HOSTILE_CUSTOMER): NostrEvent {
  return signEvent(template, key);
}

/** A job request whose content and tags carry `text`. */
export function hostileRequest(text: string, createdAt: number, extraTags: string[][] = []): NostrEvent {
  return sign({
    kind: 5050,
    created_at: createdAt,
    tags: [['i', text, 'text'], ['param', text, text], ['relays', text], ...extraTags],
    content: text,
  });
}

/** `payment-required` feedback with a hostile status text and amount, for a request id. */
export function hostileFeedback(
  requestId: string,
  text: string,
  amount: string,
  createdAt: number,
): NostrEvent {
  return sign(
    {
      kind: 7000,
      created_at: createdAt,
      tags: [
        ['status', 'payment-required', text],
        ['e', requestId],
        ['p', HOSTILE_CUSTOMER.pubkey],
        ['amount', amount, text],
      ],
      content: text,
    },
    HOSTILE_DVM,
  );
}

/** A NIP-89 announcement whose profile fields are hostile. */
export function hostileAnnouncement(text: string, createdAt: number): NostrEvent {
  return sign(
    {
      kind: 31990,
      created_at: createdAt,
      tags: [
        ['k', '5050'],
        ['d', text],
      ],
      content: JSON.stringify({
        name: text,
        about: text,
        picture: text,
        lud16: text,
        nip90Params: { x: text },
      }),
    },
    HOSTILE_DVM,
  );
}

/** Any UTF-16 code unit, lone surrogates included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));
const hostileString = fc.oneof(
  fc.constantFrom(...Object.values(HOSTILE_STRINGS).filter((s) => s.length < 1000)),
  fc.string({ unit: codeUnit, maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ maxLength: 20 }).map((s) => s.repeat(500)),
);
/** Numbers as tags carry them: huge, negative, fractional, exponents, not numbers at all. */
const hostileNumber = fc.oneof(
  fc.constantFrom(
    '9007199254740991',
    '9007199254740993',
    '18446744073709551616',
    '99999999999999999999999999',
    '-1',
    '-0',
    '1.5',
    '1e30',
    'NaN',
    'Infinity',
    '0x10',
    ' 7',
    '',
    '1000000000000',
    '1000000000001',
  ),
  fc.bigInt({ min: 0n, max: 2n ** 70n }).map(String),
  fc.integer().map(String),
  fc.double().map(String),
);
const jobKind = fc.integer({ min: 5000, max: 5999 });

/** One hostile template: a request, feedback, result, announcement, recommendation or cancellation. */
export function hostileTemplate(now: number): fc.Arbitrary<{ template: EventTemplate; dvm: boolean }> {
  // Mostly inside the store's window; some before 2020 (not stored, counted) or slightly ahead.
  const createdAt = fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: now - 86_400, max: now }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 1_577_836_799 }) },
    { weight: 1, arbitrary: fc.integer({ min: now, max: now + 590 }) },
  );
  const oddTags = fc.array(fc.array(hostileString, { maxLength: 6 }), { maxLength: 30 });
  const id = fc.stringMatching(/^[0-9a-f]{64}$/);
  const make = (kind: fc.Arbitrary<number>, tags: fc.Arbitrary<string[][]>, dvm: boolean) =>
    fc
      .record({ kind, created_at: createdAt, tags, content: hostileString })
      .map((template) => ({ template, dvm }));
  return fc.oneof(
    make(
      jobKind,
      fc
        .tuple(hostileString, hostileNumber, oddTags)
        .map(([text, bid, odd]) => [['i', text, 'text'], ['bid', bid], ['p', HOSTILE_DVM.pubkey], ...odd]),
      false,
    ),
    make(
      fc.constant(7000),
      fc
        .tuple(
          id,
          hostileString,
          hostileNumber,
          fc.constantFrom('payment-required', 'error', 'processing', ''),
        )
        .map(([e, text, amount, status]) => [
          ['status', status, text],
          ['e', e],
          ['amount', amount, text],
        ]),
      true,
    ),
    make(
      jobKind.map((k) => k + 1000),
      fc.tuple(id, hostileString, hostileNumber).map(([e, text, amount]) => [
        ['e', e],
        ['request', text],
        ['amount', amount],
      ]),
      true,
    ),
    make(
      fc.constant(31990),
      fc.tuple(hostileString, oddTags).map(([d, odd]) => [['k', '5050'], ['d', d], ...odd]),
      true,
    ),
    make(
      fc.constant(31989),
      fc.tuple(hostileNumber, hostileString).map(([d, a]) => [
        ['d', d],
        ['a', a],
      ]),
      false,
    ),
    make(
      fc.constant(5),
      fc.tuple(id, hostileNumber).map(([e, k]) => [
        ['e', e],
        ['k', k],
      ]),
      false,
    ),
  );
}

/** `count` signed hostile events from a seed: the same seed gives the same events. */
export function hostileEvents(count: number, seed: number, now: number): NostrEvent[] {
  return fc
    .sample(hostileTemplate(now), { seed, numRuns: count })
    .map(({ template, dvm }) => sign(template, dvm ? HOSTILE_DVM : HOSTILE_CUSTOMER));
}
