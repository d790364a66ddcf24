import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WireFilter } from '../../exporter/sources/relay/filter.js';
import { Backfill } from '../../exporter/sources/relay/paging.js';

interface Stored {
  readonly id: number;
  readonly kind: number;
  readonly created_at: number;
}

/** A relay's answer to one filter: newest first, at most `cap` events whatever the limit asks. */
function answer(store: readonly Stored[], filter: WireFilter, cap: number): Stored[] {
  return store
    .filter((e) => filter.kinds?.includes(e.kind))
    .filter(
      (e) =>
        (filter.since === undefined || e.created_at >= filter.since) &&
        (filter.until === undefined || e.created_at <= filter.until),
    )
    .sort((a, b) => b.created_at - a.created_at || a.id - b.id)
    .slice(0, Math.min(cap, filter.limit ?? cap));
}

/** Runs a backfill to completion against the store; returns what it received and how many pages. */
function runBackfill(store: readonly Stored[], kinds: number[][], since: number, cap: number, limit = 500) {
  const backfill = new Backfill(
    kinds.map((k) => ({ kinds: k })),
    since,
    limit,
  );
  const received = new Set<number>();
  const page = (indices: number[]) => {
    backfill.startPage(indices);
    // Every filter of one REQ answers; the events arrive in one stream, attributed by matching.
    for (const i of indices) {
      for (const e of answer(store, backfill.request(i), cap)) {
        received.add(e.id);
        backfill.observe(e, e.created_at);
      }
    }
    backfill.endPage();
  };
  page(kinds.map((_, i) => i));
  let rounds = 0;
  while (!backfill.complete) {
    if (++rounds > 10_000) throw new Error('backfill does not terminate');
    page(backfill.pending().slice(0, 3));
  }
  return { received, backfill };
}

const storeArb = fc.array(
  fc.record({
    kind: fc.constantFrom(5300, 6300, 7000, 5050),
    created_at: fc.integer({ min: 1_000, max: 1_100 }),
  }),
  { maxLength: 300, size: 'max' },
);

describe('backfill paging with until', () => {
  it('fetches everything since the cursor through any result cap, when no second overflows a page', () => {
    fc.assert(
      fc.property(
        storeArb,
        fc.integer({ min: 2, max: 40 }),
        fc.integer({ min: 950, max: 1_080 }),
        (raw, cap, since) => {
          const store = raw.map((e, id) => ({ ...e, id }));
          const kinds = [[5300, 6300], [7000], [5050]];
          const perSecond = new Map<string, number>();
          for (const e of store) {
            const key = `${kinds.findIndex((k) => k.includes(e.kind))}/${e.created_at}`;
            perSecond.set(key, (perSecond.get(key) ?? 0) + 1);
          }
          fc.pre(Math.max(0, ...perSecond.values()) < cap);
          const { received } = runBackfill(store, kinds, since, cap);
          const expected = store.filter((e) => e.created_at >= since).map((e) => e.id);
          expect([...received].sort((a, b) => a - b)).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('stops after one page when the first page is not capped by the relay', () => {
    const store = Array.from({ length: 30 }, (_, id) => ({ id, kind: 5300, created_at: 1_000 + id }));
    const { received, backfill } = runBackfill(store, [[5300]], 1_000, 1_000);
    expect(received.size).toBe(30);
    // Page 0 plus the confirming page that finds nothing older.
    expect(backfill.pages).toBe(2);
  });

  it('steps over a second holding more events than a page, and says so', () => {
    const crowded = Array.from({ length: 25 }, (_, id) => ({ id, kind: 5300, created_at: 1_100 }));
    const older = Array.from({ length: 10 }, (_, i) => ({ id: 100 + i, kind: 5300, created_at: 1_000 + i }));
    const { received, backfill } = runBackfill([...crowded, ...older], [[5300]], 900, 10);
    for (const e of older) expect(received.has(e.id)).toBe(true);
    expect(backfill.skippedSeconds).toBe(1);
  });

  it('ignores events a relay returns outside the asked window', () => {
    const backfill = new Backfill([{ kinds: [5300] }], 1_000, 100);
    backfill.startPage([0]);
    backfill.observe({ kind: 5300 }, 900);
    backfill.observe({ kind: 6300 }, 1_050);
    backfill.endPage();
    expect(backfill.complete).toBe(true);
  });
});
