import { describe, expect, it } from 'vitest';
import { type ClassifyResult, classify } from '../../exporter/model/classify.js';
import type { DvmEvent, Role } from '../../exporter/model/dvm-event.js';
import { draft, ID_A, ID_B, type Template } from './support.js';

function roleOf(template: Template): Role | string {
  const result = classify(draft(template));
  return result.ok ? result.event.role : result.reason;
}

function accepted<R extends Role>(result: ClassifyResult, role: R): Extract<DvmEvent, { role: R }> {
  if (!result.ok) throw new Error(`expected ${role}, got ${result.reason}: ${result.detail}`);
  expect(result.event.role).toBe(role);
  return result.event as Extract<DvmEvent, { role: R }>;
}

describe('classify: kind map', () => {
  it.each<[string, Template, string]>([
    ['5000 with an input', { kind: 5000, tags: [['i', 'x', 'text']] }, 'request'],
    ['5999 with an input', { kind: 5999, tags: [['i', 'x', 'text']] }, 'request'],
    ['6000', { kind: 6000, tags: [['e', ID_A]] }, 'result'],
    ['6999', { kind: 6999, tags: [['e', ID_A]] }, 'result'],
    ['7000', { kind: 7000, tags: [['status', 'processing']] }, 'feedback'],
    ['5 with an e tag', { kind: 5, tags: [['e', ID_A]] }, 'cancellation'],
    ['31990 with k 5300', { kind: 31990, tags: [['k', '5300']] }, 'announcement'],
    ['31989', { kind: 31989, tags: [['d', '5300']] }, 'recommendation'],
    ['11998', { kind: 11998 }, 'heartbeat'],
    ['9735 with an e tag', { kind: 9735, tags: [['e', ID_A]] }, 'zap_receipt'],
    ['4999', { kind: 4999, tags: [['i', 'x']] }, 'not_dvm'],
    ['7001', { kind: 7001, tags: [['e', ID_A]] }, 'not_dvm'],
    ['7007 ping', { kind: 7007, tags: [['p', 'c'.repeat(64)]] }, 'not_dvm'],
    ['a note', { kind: 1, content: 'gm' }, 'not_dvm'],
    ['v2 ephemeral job 25300', { kind: 25300, tags: [['i', 'x']] }, 'not_dvm'],
    ['30333 heartbeat of another service', { kind: 30333 }, 'not_dvm'],
  ])('%s -> %s', (_name, template, expected) => {
    expect(roleOf(template)).toBe(expected);
  });
});

describe('classify: the job-range rule', () => {
  it.each([5128, 5129, 5651, 5666, 5969])('denies %d as excluded_kind even with job tags', (kind) => {
    const result = classify(
      draft({
        kind,
        tags: [
          ['i', 'x', 'text'],
          ['p', 'c'.repeat(64)],
        ],
      }),
    );
    expect(result).toMatchObject({
      ok: false,
      reason: 'excluded_kind',
      detail: expect.stringContaining(`${kind}`),
    });
  });

  it.each([6666, 6969])('denies the result kind %d as excluded_kind', (kind) => {
    expect(roleOf({ kind, tags: [['e', ID_A]] })).toBe('excluded_kind');
  });

  it('accepts a known kind without any tag (Vertex 5313)', () => {
    expect(roleOf({ kind: 5313 })).toBe('request');
  });

  it('rejects an unknown kind without job-like tags as not_job_like', () => {
    const junk = {
      kind: 5132,
      tags: [
        ['t', 'climbing'],
        ['alt', 'a log'],
      ],
      content: 'route 7a',
    };
    expect(classify(draft(junk))).toMatchObject({ ok: false, reason: 'not_job_like' });
    expect(roleOf({ kind: 5546, content: 'PGh0bWw+' })).toBe('not_job_like');
  });

  it.each(['i', 'param', 'output', 'bid', 'relays', 'p', 'encrypted'])(
    'accepts an unknown kind carrying a %s tag',
    (name) => {
      expect(
        roleOf({
          kind: 5777,
          tags: [
            ['t', 'x'],
            [name, 'value'],
          ],
        }),
      ).toBe('request');
    },
  );

  it('rejects a result of an unknown kind without job-like tags as not_job_like, like its request', () => {
    expect(roleOf({ kind: 6555, content: 'PGh0bWw+' })).toBe('not_job_like');
    expect(roleOf({ kind: 5555, content: 'PGh0bWw+' })).toBe('not_job_like');
    expect(roleOf({ kind: 6555, tags: [['e', 'a'.repeat(64)]] })).toBe('result');
    expect(roleOf({ kind: 6555, tags: [['p', 'b'.repeat(64)]] })).toBe('result');
    // A known kind's result is a result whatever its tags.
    expect(roleOf({ kind: 6300 })).toBe('result');
  });

  it('does not count an empty tag or an unnamed one as job-like', () => {
    expect(roleOf({ kind: 5777, tags: [[], ['']] })).toBe('not_job_like');
  });
});

describe('classify: cancellations (kind 5)', () => {
  it('needs an e tag naming an event', () => {
    expect(roleOf({ kind: 5, tags: [['a', '31990:pk:d']] })).toBe('not_dvm');
    expect(roleOf({ kind: 5, tags: [['e', 'not-an-id']] })).toBe('not_dvm');
    expect(roleOf({ kind: 5 })).toBe('not_dvm');
  });

  it('keeps the targets and the request kinds it names', () => {
    const cancel = accepted(
      classify(
        draft({
          kind: 5,
          tags: [
            ['e', ID_A],
            ['e', ID_B.toUpperCase()],
            ['e', ID_A],
            ['k', '5300'],
          ],
        }),
      ),
      'cancellation',
    );
    expect(cancel.targetIds).toEqual([ID_A, ID_B]);
    expect(cancel.kinds).toEqual([5300]);
  });

  it.each<[string[][], string]>([
    [[['k', '1']], 'not_dvm'],
    [[['k', '31990']], 'not_dvm'],
    [[['k', 'abc']], 'not_dvm'],
    [[['k', '6300']], 'not_dvm'],
    [
      [
        ['k', '1'],
        ['k', '5300'],
      ],
      'cancellation',
    ],
    [[['k', '5999']], 'cancellation'],
    [[], 'cancellation'],
  ])('with k tags %j -> %s', (kTags, expected) => {
    expect(roleOf({ kind: 5, tags: [['e', ID_A], ...kTags] })).toBe(expected);
  });
});

describe('classify: announcements (31990)', () => {
  it('needs a k tag in 5000-5999, otherwise it is an app handler', () => {
    expect(
      roleOf({
        kind: 31990,
        tags: [
          ['d', 'x'],
          ['k', '0'],
          ['k', '34235'],
        ],
      }),
    ).toBe('not_dvm');
    expect(
      roleOf({
        kind: 31990,
        tags: [
          ['d', 'x'],
          ['k', '6300'],
        ],
      }),
    ).toBe('not_dvm');
    expect(roleOf({ kind: 31990, tags: [['d', 'x']] })).toBe('not_dvm');
  });

  it('keeps only the job kinds, without repeats, and the d tag', () => {
    const ann = accepted(
      classify(
        draft({
          kind: 31990,
          tags: [
            ['d', 'abcd1234'],
            ['k', '1'],
            ['k', '5300'],
            ['k', '5300'],
            ['k', '5999'],
          ],
        }),
      ),
      'announcement',
    );
    expect(ann.d).toBe('abcd1234');
    expect(ann.kinds).toEqual([5300, 5999]);
  });

  it('keys an announcement without a d tag by the empty string', () => {
    expect(accepted(classify(draft({ kind: 31990, tags: [['k', '5300']] })), 'announcement').d).toBe('');
  });

  it('reads the profile from the content JSON', () => {
    const content = JSON.stringify({
      name: 'Trending',
      image: 'https://img/x.png',
      about: 'notes that are trending',
      lud16: 'dvm@example.com',
      encryptionSupported: true,
      acceptsNutZaps: false,
      amount: 'free',
      nip90Params: { max_results: { required: false, values: [] } },
    });
    const ann = accepted(classify(draft({ kind: 31990, tags: [['k', '5300']], content })), 'announcement');
    expect(ann.profile).toEqual({
      name: 'Trending',
      picture: 'https://img/x.png',
      about: 'notes that are trending',
      lud16: 'dvm@example.com',
      supportsEncryption: true,
      acceptsNutZaps: false,
      amount: 'free',
      nip90Params: { max_results: { required: false, values: [] } },
    });
  });

  it.each([
    ['', 'empty'],
    ['not json', 'not JSON'],
    ['[1,2]', 'an array'],
    ['"text"', 'a string'],
    ['{"name": 5, "picture": null, "supportsEncryption": "yes", "about": ""}', 'wrongly typed fields'],
  ])('gives null profile fields for content %j (%s)', (content) => {
    const ann = accepted(classify(draft({ kind: 31990, tags: [['k', '5300']], content })), 'announcement');
    expect(Object.values(ann.profile).every((value) => value === null)).toBe(true);
  });

  it('prefers picture over image and supportsEncryption over encryptionSupported; reads "true" and numbers', () => {
    const content = JSON.stringify({
      picture: 'p',
      image: 'i',
      supportsEncryption: 'false',
      encryptionSupported: true,
      amount: 21,
    });
    const profile = accepted(
      classify(draft({ kind: 31990, tags: [['k', '5300']], content })),
      'announcement',
    ).profile;
    expect(profile).toMatchObject({ picture: 'p', supportsEncryption: false, amount: '21' });
  });
});

describe('classify: recommendations, heartbeats, zap receipts', () => {
  it('reads a recommendation', () => {
    const rec = accepted(
      classify(
        draft({
          kind: 31989,
          tags: [
            ['d', '5300'],
            ['a', `31990:${'c'.repeat(64)}:abc`, 'wss://relay', 'web'],
            ['a', '30023:x:y'],
            ['a', `31990:${'c'.repeat(64)}:abc`],
          ],
        }),
      ),
      'recommendation',
    );
    expect(rec.supportedKind).toBe(5300);
    expect(rec.handlers).toEqual([`31990:${'c'.repeat(64)}:abc`]);
    expect(
      accepted(classify(draft({ kind: 31989, tags: [['d', 'x']] })), 'recommendation').supportedKind,
    ).toBeNull();
  });

  it('reads a heartbeat: status tag first, then content', () => {
    const beat = accepted(
      classify(
        draft({
          kind: 11998,
          tags: [
            ['d', 'dvm-d'],
            ['status', 'online'],
            ['expiration', '1'],
          ],
          content: 'hi',
        }),
      ),
      'heartbeat',
    );
    expect(beat).toMatchObject({ d: 'dvm-d', statusText: 'online' });
    expect(accepted(classify(draft({ kind: 11998, content: 'alive' })), 'heartbeat')).toMatchObject({
      d: null,
      statusText: 'alive',
    });
    expect(accepted(classify(draft({ kind: 11998 })), 'heartbeat').statusText).toBeNull();
  });

  it('rejects a zap receipt that points at no event (a profile zap)', () => {
    expect(
      roleOf({
        kind: 9735,
        tags: [
          ['p', 'c'.repeat(64)],
          ['bolt11', 'lnbc1'],
        ],
      }),
    ).toBe('not_dvm');
  });
});
