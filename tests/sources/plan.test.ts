import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../exporter/config/schema.js';
import { EXCLUDED_KINDS } from '../../exporter/model/exclusions.js';
import { desiredFilters, zapFilters } from '../../exporter/sources/relay/coverage.js';
import { type FilterSpec, toWireFilter } from '../../exporter/sources/relay/filter.js';
import { effectiveLimits, subscriptionSlots } from '../../exporter/sources/relay/limits.js';
import { parseRelayInfo } from '../../exporter/sources/relay/nip11.js';
import { filterBytes, planSubscriptions } from '../../exporter/sources/relay/plan.js';

const LIMITS = { maxKindsPerFilter: 20, maxTagValuesPerFilter: 256 };
const kindsOf = (specs: readonly FilterSpec[]) => specs.filter((s) => !s.tags).flatMap((s) => s.kinds);

describe('what the exporter asks relays for', () => {
  const specs = desiredFilters(LIMITS);

  it('covers every job request and result kind, inclusive of 5999 and 6999, and no excluded kind', () => {
    const kinds = new Set(kindsOf(specs));
    for (let k = 5000; k <= 6999; k++) {
      const excluded = EXCLUDED_KINDS.some((e) => e.kind === k);
      expect(kinds.has(k), `kind ${k}`).toBe(!excluded);
    }
    for (const k of [7000, 31990, 31989, 11998]) expect(kinds.has(k)).toBe(true);
  });

  it('asks for cancellations only with #k naming a job kind', () => {
    const cancellations = specs.filter((s) => s.kinds.includes(5));
    expect(cancellations.every((s) => s.kinds.length === 1 && (s.tags?.k?.length ?? 0) > 0)).toBe(true);
    const k = cancellations.flatMap((s) => s.tags?.k ?? []);
    expect(k).toContain('5300');
    expect(k).toContain('5999');
    expect(k).not.toContain('5666');
  });

  it('puts feedback, announcements and the named job kinds first', () => {
    const first = specs[0]?.kinds ?? [];
    expect(first.slice(0, 4)).toEqual([7000, 31990, 31989, 11998]);
    const ordered = kindsOf(specs);
    expect(ordered.indexOf(5300)).toBeLessThan(ordered.indexOf(5003));
    expect(ordered.indexOf(6300)).toBeLessThan(ordered.indexOf(5003));
  });

  it('keeps every filter within the kinds and tag-value limits', () => {
    const small = desiredFilters({ maxKindsPerFilter: 7, maxTagValuesPerFilter: 50 });
    expect(Math.max(...small.map((s) => s.kinds.length))).toBeLessThanOrEqual(7);
    expect(Math.max(...small.map((s) => s.tags?.k?.length ?? 0))).toBeLessThanOrEqual(50);
    const zaps = zapFilters(
      Array.from({ length: 600 }, (_, i) => i.toString(16).padStart(64, '0')),
      LIMITS,
    );
    expect(zaps.map((z) => z.tags?.p?.length)).toEqual([256, 256, 88]);
    expect(zaps.every((z) => z.kinds.length === 1 && z.kinds[0] === 9735)).toBe(true);
  });
});

describe('packing filters into REQs', () => {
  const specs = desiredFilters(LIMITS);

  it('fits filters per REQ and the number of live subscriptions, and reports the rest in order', () => {
    const plan = planSubscriptions(specs, {
      maxFiltersPerReq: 5,
      liveSubscriptions: 6,
      maxMessageBytes: null,
    });
    expect(plan.reqs).toHaveLength(6);
    expect(plan.reqs.every((r) => r.length <= 5)).toBe(true);
    expect([...plan.reqs.flat(), ...plan.uncovered]).toEqual(specs);
    expect(plan.uncovered.length).toBe(specs.length - 30);
  });

  it('covers everything when the relay takes enough filters', () => {
    const plan = planSubscriptions(specs, {
      maxFiltersPerReq: 100,
      liveSubscriptions: 6,
      maxMessageBytes: null,
    });
    expect(plan.uncovered).toEqual([]);
    expect(plan.reqs.length).toBeLessThanOrEqual(2);
  });

  it('keeps each REQ under the advertised message length', () => {
    const maxMessageBytes = 1_500;
    const plan = planSubscriptions(specs, {
      maxFiltersPerReq: 50,
      liveSubscriptions: 1_000,
      maxMessageBytes,
    });
    for (const req of plan.reqs) {
      const window = { since: 1_800_000_000, until: 1_800_000_000, limit: 500 };
      const bytes = JSON.stringify(['REQ', 'p123456', ...req.map((s) => toWireFilter(s, window))]).length;
      expect(bytes).toBeLessThanOrEqual(maxMessageBytes);
    }
    // Cancellation filters with 256 #k values do not fit 1500 bytes at all: reported, not sent.
    expect(plan.uncovered.every((s) => (s.tags?.k?.length ?? 0) === 256 && filterBytes(s) > 1_450)).toBe(
      true,
    );
    expect(plan.uncovered.length).toBeGreaterThan(0);
  });
});

describe('relay limits', () => {
  it('takes the filter count from NIP-11 and only lowers subscriptions and page size', () => {
    const info = parseRelayInfo(
      JSON.stringify({
        name: 'r',
        limitation: { max_filters: 40, max_subscriptions: 300, max_limit: 100, max_message_length: 65536 },
      }),
    );
    expect(info.ok).toBe(true);
    const limits = effectiveLimits(DEFAULT_CONFIG.ingest.limits, info.ok ? info.info : null);
    expect(limits).toMatchObject({
      maxFiltersPerReq: 40,
      maxSubscriptions: 8,
      pageLimit: 100,
      maxMessageBytes: 65536,
      source: 'nip11',
    });
    expect(subscriptionSlots(limits)).toEqual({ live: 6, zaps: true });
  });

  it('falls back to the configured limits without NIP-11, and ignores nonsense values', () => {
    expect(effectiveLimits(DEFAULT_CONFIG.ingest.limits, null)).toMatchObject({
      maxFiltersPerReq: DEFAULT_CONFIG.ingest.limits.maxFiltersPerReq,
      source: 'config',
    });
    const info = parseRelayInfo(
      JSON.stringify({ limitation: { max_filters: -3, max_subscriptions: 'lots' } }),
    );
    expect(info.ok && info.info.limitation).toMatchObject({ maxFilters: null, maxSubscriptions: null });
    expect(parseRelayInfo('<html>').ok).toBe(false);
  });

  it('keeps one live REQ even on a relay that allows a single subscription', () => {
    const limits = effectiveLimits({ ...DEFAULT_CONFIG.ingest.limits, maxSubscriptions: 1 }, null);
    expect(subscriptionSlots(limits)).toEqual({ live: 1, zaps: false });
  });
});
