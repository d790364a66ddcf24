import { describe, expect, it } from 'vitest';
import { EXCLUDED_KINDS, exclusionFor, JOB_LIKE_TAGS } from '../../exporter/model/exclusions.js';
import {
  inKindRange,
  isJobRequestKind,
  isJobResultKind,
  JOB_KIND_NAMES,
  JOB_REQUEST_KINDS,
  JOB_RESULT_KINDS,
  kindName,
  requestKindOf,
} from '../../exporter/model/kinds.js';

describe('job kind ranges (both ends inclusive)', () => {
  it.each([
    [4999, false, false],
    [5000, true, false],
    [5300, true, false],
    [5999, true, false],
    [6000, false, true],
    [6999, false, true],
    [7000, false, false],
    [5300.5, false, false],
    [Number.NaN, false, false],
    [-5300, false, false],
  ])('kind %d: request %s, result %s', (kind, request, result) => {
    expect(isJobRequestKind(kind)).toBe(request);
    expect(isJobResultKind(kind)).toBe(result);
  });

  it('uses one range helper for both', () => {
    expect(inKindRange(5999, JOB_REQUEST_KINDS)).toBe(true);
    expect(inKindRange(6999, JOB_RESULT_KINDS)).toBe(true);
    expect(inKindRange(10, { min: 10, max: 10 })).toBe(true);
    expect(inKindRange(11, { min: 10, max: 10 })).toBe(false);
  });
});

describe('requestKindOf', () => {
  it.each([
    [6000, 5000],
    [6300, 5300],
    [6999, 5999],
    [5999, null],
    [7000, null],
    [1, null],
  ])('%d -> %s', (resultKind, requestKind) => {
    expect(requestKindOf(resultKind)).toBe(requestKind);
  });
});

describe('kind names', () => {
  it('names the common job kinds, all inside the request range', () => {
    expect(JOB_KIND_NAMES.get(5300)).toBe('content discovery');
    expect(JOB_KIND_NAMES.get(5312)).toBe('verify reputation');
    expect(JOB_KIND_NAMES.get(5999)).toBeDefined();
    for (const [kind, name] of JOB_KIND_NAMES) {
      expect(isJobRequestKind(kind), `${kind}`).toBe(true);
      expect(name).toMatch(/^[a-z0-9][a-z0-9 ./_-]{2,29}$/);
    }
  });

  it('names no excluded kind', () => {
    for (const { kind } of EXCLUDED_KINDS) expect(JOB_KIND_NAMES.has(kind)).toBe(false);
  });

  it.each([
    [5002, 'translation'],
    [6002, 'translation result'],
    [7000, 'job feedback'],
    [31990, 'handler announcement'],
    [5, 'deletion'],
    [5777, null],
    [6777, null],
    [1, null],
  ])('kindName(%d) is %s', (kind, name) => {
    expect(kindName(kind)).toBe(name);
  });
});

describe('exclusion policy', () => {
  it('holds the documented deny-list, each entry with a reason and a source', () => {
    expect(EXCLUDED_KINDS.map((entry) => entry.kind).sort()).toEqual([
      5128, 5129, 5651, 5666, 5969, 6666, 6969,
    ]);
    for (const entry of EXCLUDED_KINDS) {
      expect(entry.reason.length).toBeGreaterThan(5);
      expect(entry.source.length).toBeGreaterThan(5);
      expect(exclusionFor(entry.kind)).toBe(entry);
    }
    expect(exclusionFor(5300)).toBeNull();
  });

  it('lists the job-like tags', () => {
    expect([...JOB_LIKE_TAGS].sort()).toEqual(['bid', 'encrypted', 'i', 'output', 'p', 'param', 'relays']);
  });
});
