import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classify } from '../../exporter/model/classify.js';
import { ROLES } from '../../exporter/model/dvm-event.js';
import type { NostrEvent } from '../../exporter/model/nostr-event.js';
import { MAX_PLAUSIBLE_MSAT, parseAmountTag } from '../../exporter/model/payment.js';
import { REJECT_REASONS } from '../../exporter/model/reasons.js';
import { checkEventShape, DEFAULT_SHAPE_LIMITS, parseEventText } from '../../exporter/model/validate.js';
import { createVerifier, type EventVerifier } from '../../exporter/model/verify.js';
import { INVOICE_250N } from './invoices.js';
import { loadRealEvents } from './support.js';

const NOW = 2_000_000_000;
const real = loadRealEvents();
const verifier: EventVerifier = await createVerifier();

/** Runs one input through everything the model offers; returns what a caller would count. */
function throughModel(text: string): string {
  const shaped = parseEventText(text, DEFAULT_SHAPE_LIMITS, NOW);
  if (!shaped.ok) return shaped.reason;
  const verdict = verifier.check(shaped.event);
  if (verdict !== 'ok') return verdict;
  const classified = classify(shaped.event);
  return classified.ok ? classified.event.role : classified.reason;
}

const OUTCOMES = new Set<string>([...REJECT_REASONS, ...ROLES]);

/** Tag names the parsers look at, plus noise. */
const tagName = fc.constantFrom(
  'e',
  'p',
  'i',
  'k',
  'd',
  'a',
  'status',
  'amount',
  'bid',
  'relays',
  'param',
  'encrypted',
  'bolt11',
  'description',
  'request',
  'x',
  '',
);
const tagValue = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    'a'.repeat(64),
    'A'.repeat(64),
    'job',
    'text',
    '5300',
    '6300',
    '100_000',
    '0',
    INVOICE_250N,
    'lnbc1',
    '{"tags":[["amount","1"]]}',
  ),
  fc.stringMatching(/^[0-9a-f]{64}$/),
  fc.nat().map(String),
);
const tag = fc
  .tuple(tagName, fc.array(tagValue, { maxLength: 5 }))
  .map(([name, values]) => [name, ...values]);
const interestingKind = fc.oneof(
  fc.constantFrom(
    5,
    5000,
    5128,
    5300,
    5313,
    5651,
    5999,
    6000,
    6300,
    6666,
    6999,
    7000,
    9735,
    11998,
    31989,
    31990,
  ),
  fc.integer({ min: 0, max: 65535 }),
);

describe('no input makes the model throw', () => {
  it('random text as an event line', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.json()), (text) => {
        expect(OUTCOMES.has(throughModel(text))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('random JSON values as relay frame payloads', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (value, size) => {
        const result = checkEventShape(value, size % 200_000, DEFAULT_SHAPE_LIMITS, NOW);
        expect(result.ok ? 'ok' : REJECT_REASONS.includes(result.reason)).toBeTruthy();
      }),
      { numRuns: 1000 },
    );
  });

  it('arbitrary JavaScript values, objects with odd prototypes included', () => {
    fc.assert(
      fc.property(
        fc.anything({ withObjectString: true, withNullPrototype: true, withBigInt: true, withMap: true }),
        (value) => {
          expect(checkEventShape(value, 10, DEFAULT_SHAPE_LIMITS, NOW).ok).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('well-shaped events of any kind with any tags', () => {
    const event = fc.record({
      id: fc.stringMatching(/^[0-9a-f]{64}$/),
      pubkey: fc.stringMatching(/^[0-9a-f]{64}$/),
      created_at: fc.nat({ max: NOW }),
      kind: interestingKind,
      tags: fc.array(tag, { maxLength: 8 }),
      content: fc.oneof(fc.string(), fc.json()),
      sig: fc.stringMatching(/^[0-9a-f]{128}$/),
    });
    fc.assert(
      fc.property(event, (value) => {
        const shaped = checkEventShape(value, 1000, DEFAULT_SHAPE_LIMITS, NOW);
        expect(shaped.ok).toBe(true);
        if (!shaped.ok) return;
        expect(['bad_id', 'bad_sig']).toContain(verifier.check(shaped.event));
        const classified = classify(shaped.event);
        expect(classified.ok ? ROLES.includes(classified.event.role) : classified.detail.length > 0).toBe(
          true,
        );
      }),
      { numRuns: 500 },
    );
  });

  it('any amount tag', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(tagValue, fc.string()), { maxLength: 4 }), (values) => {
        const amount = parseAmountTag(['amount', ...values]);
        // Null when not a plain safe integer, or when beyond any plausible price (never summed).
        const beyondCap = /^\d+$/.test(amount.raw) && Number(amount.raw) > MAX_PLAUSIBLE_MSAT;
        expect(amount.tagMsat === null).toBe(amount.issues.includes('unparsable_amount') || beyondCap);
        expect(amount.tagMsat === null || amount.tagMsat <= MAX_PLAUSIBLE_MSAT).toBe(true);
        expect(amount.bolt11 === null || amount.bolt11.toLowerCase().startsWith('ln')).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('mutated real events', () => {
  const valid = real.filter((event) => throughModel(event.text) !== 'bad_id');

  type Mutation = (event: Record<string, unknown>) => void;
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc
      .tuple(fc.constantFrom('id', 'pubkey', 'sig', 'created_at', 'kind', 'tags', 'content'), fc.jsonValue())
      .map(
        ([field, value]): Mutation =>
          (event) => {
            event[field] = value;
          },
      ),
    fc.constantFrom('id', 'pubkey', 'sig', 'created_at', 'kind', 'tags', 'content').map(
      (field): Mutation =>
        (event) => {
          delete event[field];
        },
    ),
    tag.map(
      (extra): Mutation =>
        (event) => {
          if (Array.isArray(event.tags)) event.tags.push(extra);
        },
    ),
    fc.string({ minLength: 1 }).map(
      (suffix): Mutation =>
        (event) => {
          event.content = `${event.content}${suffix}`;
        },
    ),
    interestingKind.map(
      (kind): Mutation =>
        (event) => {
          event.kind = kind;
        },
    ),
  );

  it('never throw, and a change to any signed field is caught', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...valid),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        (original, mutations) => {
          const event = JSON.parse(original.text) as Record<string, unknown>;
          for (const mutate of mutations) mutate(event);
          const outcome = throughModel(JSON.stringify(event));
          expect(OUTCOMES.has(outcome)).toBe(true);
          if (ROLES.includes(outcome as (typeof ROLES)[number])) {
            // Accepted: then the mutations left every signed field as it was.
            const after = event as unknown as NostrEvent;
            expect(
              JSON.stringify([after.pubkey, after.created_at, after.kind, after.tags, after.content]),
            ).toBe(
              JSON.stringify([
                original.json.pubkey,
                original.json.created_at,
                original.json.kind,
                original.json.tags,
                original.json.content,
              ]),
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('cut at any point, are rejected as bad_json', () => {
    fc.assert(
      fc.property(fc.constantFrom(...real), fc.nat(), (event, at) => {
        const cut = event.text.slice(0, at % event.text.length);
        expect(throughModel(cut)).toBe('bad_json');
      }),
      { numRuns: 300 },
    );
  });
});
