import { describe, expect, it } from 'vitest';
import {
  checkEventShape,
  DEFAULT_SHAPE_LIMITS,
  parseEventText,
  type ShapeLimits,
  type ShapeResult,
} from '../../exporter/model/validate.js';
import { draft } from './support.js';

const NOW = 1_700_000_000;
const good = draft({
  kind: 5300,
  tags: [
    ['p', 'cd'.repeat(32)],
    ['param', 'max_results', '20'],
  ],
  created_at: NOW,
});

function withField(field: string, value: unknown): Record<string, unknown> {
  return { ...good, [field]: value };
}

function withoutField(field: string): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...good };
  delete copy[field];
  return copy;
}

function check(value: unknown, limits: ShapeLimits = DEFAULT_SHAPE_LIMITS): ShapeResult {
  return checkEventShape(value, 1000, limits, NOW);
}

describe('DEFAULT_SHAPE_LIMITS', () => {
  it('allows 128 KiB events and ten minutes of clock skew', () => {
    expect(DEFAULT_SHAPE_LIMITS).toEqual({ maxEventBytes: 131072, maxFutureSeconds: 600 });
  });
});

describe('checkEventShape', () => {
  it('accepts a NIP-01 event and returns a copy holding only the seven fields', () => {
    const input = { ...good, extra: 'dropped', seen_on: ['wss://x'] };
    const result = check(input);
    expect(result).toEqual({ ok: true, event: good });
    if (!result.ok) return;
    expect(Object.keys(result.event).sort()).toEqual(
      ['content', 'created_at', 'id', 'kind', 'pubkey', 'sig', 'tags'].sort(),
    );
    expect(result.event).not.toBe(input);
    expect(result.event.tags).not.toBe(input.tags);
    expect(result.event.tags[0]).not.toBe(input.tags[0]);
  });

  it('is not affected by later changes to the input', () => {
    const tags = [['i', 'hello', 'text']];
    const result = check({ ...good, tags });
    tags[0]![1] = 'changed';
    expect(result.ok && result.event.tags[0]![1]).toBe('hello');
  });

  const HEX64 = 'ab'.repeat(32);
  const badShapes: [string, unknown, RegExp][] = [
    ['id upper case', withField('id', HEX64.toUpperCase()), /^id:/],
    ['id too short', withField('id', HEX64.slice(2)), /^id:.*62 characters/],
    ['id not hex', withField('id', `${'g'.repeat(64)}`), /^id:/],
    ['id missing', withoutField('id'), /^id:.*nothing/],
    ['id a number', withField('id', 12), /^id:.*a number/],
    ['pubkey 66 chars', withField('pubkey', `${HEX64}00`), /^pubkey:/],
    ['pubkey null', withField('pubkey', null), /^pubkey:.*null/],
    ['sig 64 chars', withField('sig', HEX64), /^sig:/],
    ['sig upper case', withField('sig', 'EF'.repeat(64)), /^sig:/],
    ['created_at a string', withField('created_at', '1700000000'), /^created_at:/],
    ['created_at negative', withField('created_at', -1), /^created_at:/],
    ['created_at fractional', withField('created_at', 1.5), /^created_at:/],
    ['created_at past 2^53', withField('created_at', 2 ** 60), /^created_at:/],
    ['created_at NaN', withField('created_at', Number.NaN), /^created_at:/],
    ['kind negative', withField('kind', -1), /^kind:/],
    ['kind 65536', withField('kind', 65536), /^kind:/],
    ['kind fractional', withField('kind', 5300.5), /^kind:/],
    ['kind a string', withField('kind', '5300'), /^kind:/],
    ['content a number', withField('content', 1), /^content:/],
    ['content missing', withoutField('content'), /^content:/],
    ['tags an object', withField('tags', {}), /^tags:/],
    ['tags missing', withoutField('tags'), /^tags:/],
    ['a tag that is a string', withField('tags', [['p', 'x'], 'i']), /^tags\[1\]:/],
    ['a tag value that is a number', withField('tags', [['amount', 1000]]), /^tags\[0\]\[1\]:/],
    ['a tag value that is null', withField('tags', [['e', null]]), /^tags\[0\]\[1\]:/],
  ];

  it.each(badShapes)('rejects %s as bad_shape with a detail naming the field', (_name, value, detail) => {
    const result = check(value);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toBe('bad_shape');
    expect(result.detail).toMatch(detail);
  });

  it('names the claimed id in a rejection when the id itself is well formed', () => {
    expect(check(withField('sig', 'x'))).toMatchObject({ reason: 'bad_shape', id: good.id });
    expect(check(withField('id', 'x'))).not.toHaveProperty('id');
  });

  it.each([null, 'event', 42, true, [good], undefined])('rejects the non-object %j as bad_shape', (value) => {
    expect(check(value)).toMatchObject({ ok: false, reason: 'bad_shape' });
  });

  it('accepts kinds 0 and 65535, created_at 0, empty tags and empty content', () => {
    for (const fields of [
      { kind: 0 },
      { kind: 65535 },
      { created_at: 0 },
      { tags: [], content: '' },
      { tags: [[]] },
    ]) {
      expect(check({ ...good, ...fields }).ok).toBe(true);
    }
  });

  it('rejects what exceeds the size limit as too_large, before looking at it', () => {
    const limits = { maxEventBytes: 100, maxFutureSeconds: 600 };
    expect(checkEventShape(good, 101, limits, NOW)).toMatchObject({ ok: false, reason: 'too_large' });
    expect(checkEventShape('not even an object', 101, limits, NOW)).toMatchObject({ reason: 'too_large' });
    expect(checkEventShape(good, 100, limits, NOW).ok).toBe(true);
  });

  it('rejects created_at further ahead than the allowed skew as future_created_at', () => {
    expect(check({ ...good, created_at: NOW + 600 }).ok).toBe(true);
    expect(check({ ...good, created_at: NOW + 601 })).toMatchObject({
      ok: false,
      reason: 'future_created_at',
      id: good.id,
    });
    expect(
      checkEventShape(
        { ...good, created_at: NOW + 601 },
        10,
        { maxEventBytes: 1000, maxFutureSeconds: 3600 },
        NOW,
      ).ok,
    ).toBe(true);
  });

  it('reads only own fields: a polluted prototype does not fill in a missing one', () => {
    const inherited = Object.create({ content: 'from the prototype' }) as Record<string, unknown>;
    Object.assign(inherited, withoutField('content'));
    expect(check(inherited)).toMatchObject({ ok: false, reason: 'bad_shape' });
    const parsed = JSON.parse(
      `{"__proto__":{"content":"x"},${JSON.stringify(withoutField('content')).slice(1)}`,
    );
    expect(check(parsed)).toMatchObject({ ok: false, reason: 'bad_shape' });
  });

  it('turns a throwing getter, a throwing proxy and a revoked proxy into bad_shape', () => {
    const getter = { ...good };
    Object.defineProperty(getter, 'kind', {
      get() {
        throw new Error('boom');
      },
      enumerable: true,
    });
    expect(check(getter)).toMatchObject({
      ok: false,
      reason: 'bad_shape',
      detail: expect.stringMatching(/boom/),
    });

    const hostileThrow = { ...good };
    Object.defineProperty(hostileThrow, 'tags', {
      get() {
        throw {
          toString() {
            throw new Error('no');
          },
        };
      },
    });
    expect(check(hostileThrow)).toMatchObject({ ok: false, reason: 'bad_shape' });

    const proxy = new Proxy(good, {
      has: () => {
        throw new Error('trap');
      },
      getOwnPropertyDescriptor: () => {
        throw new Error('trap');
      },
    });
    expect(check(proxy)).toMatchObject({ ok: false, reason: 'bad_shape' });

    const { proxy: revoked, revoke } = Proxy.revocable({ ...good }, {});
    revoke();
    expect(check(revoked)).toMatchObject({ ok: false, reason: 'bad_shape' });
  });

  it('keeps the values it checked even when a getter changes its answer', () => {
    let reads = 0;
    const flaky = { ...good };
    Object.defineProperty(flaky, 'content', {
      get: () => (reads++ === 0 ? 'first' : 42),
      enumerable: true,
    });
    const result = check(flaky);
    expect(result.ok && result.event.content).toBe('first');
  });
});

describe('parseEventText', () => {
  const text = JSON.stringify(good);

  it('parses and checks one bare event', () => {
    expect(parseEventText(text, DEFAULT_SHAPE_LIMITS, NOW)).toEqual({ ok: true, event: good });
  });

  it.each(['', '{', '{"id":', 'null x', '\u0000', "{'id':'x'}"])('rejects %j as bad_json', (input) => {
    expect(parseEventText(input, DEFAULT_SHAPE_LIMITS, NOW)).toMatchObject({ ok: false, reason: 'bad_json' });
  });

  it.each(['null', '[]', '42', '"event"', 'true', JSON.stringify(['EVENT', 'sub', good])])(
    'rejects the JSON non-object %s as bad_json',
    (input) => {
      expect(parseEventText(input, DEFAULT_SHAPE_LIMITS, NOW)).toMatchObject({
        ok: false,
        reason: 'bad_json',
      });
    },
  );

  it('measures size in UTF-8 bytes, not characters', () => {
    const content = 'é'.repeat(50); // 50 characters, 100 bytes
    const eventText = JSON.stringify({ ...good, content });
    const bytes = Buffer.byteLength(eventText, 'utf8');
    expect(bytes).toBe(eventText.length + 50);
    expect(parseEventText(eventText, { maxEventBytes: bytes, maxFutureSeconds: 600 }, NOW).ok).toBe(true);
    expect(parseEventText(eventText, { maxEventBytes: bytes - 1, maxFutureSeconds: 600 }, NOW)).toMatchObject(
      {
        ok: false,
        reason: 'too_large',
        detail: `${bytes} bytes exceeds the limit of ${bytes - 1}`,
      },
    );
  });

  it('rejects an oversized text as too_large even when it is not JSON', () => {
    const huge = '{'.repeat(200_000);
    expect(parseEventText(huge, DEFAULT_SHAPE_LIMITS, NOW)).toMatchObject({ ok: false, reason: 'too_large' });
  });

  it('passes shape and clock failures through', () => {
    expect(parseEventText(JSON.stringify(withField('kind', 70000)), DEFAULT_SHAPE_LIMITS, NOW)).toMatchObject(
      {
        reason: 'bad_shape',
      },
    );
    expect(
      parseEventText(JSON.stringify({ ...good, created_at: NOW + 10_000 }), DEFAULT_SHAPE_LIMITS, NOW),
    ).toMatchObject({ reason: 'future_created_at' });
  });

  it('treats JSON escapes in the text as the characters they stand for', () => {
    const escaped = text.replace('"content":""', '"content":"\\u0041\\n"');
    expect(parseEventText(escaped, DEFAULT_SHAPE_LIMITS, NOW)).toMatchObject({
      ok: true,
      event: { content: 'A\n' },
    });
  });
});
