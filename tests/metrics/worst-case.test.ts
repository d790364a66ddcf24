import { describe, expect, it } from 'vitest';
import type { DvmEvent, FeedbackStatus } from '../../exporter/model/dvm-event.js';
import { FEEDBACK_STATUSES } from '../../exporter/model/dvm-event.js';
import { JOB_KIND_NAMES } from '../../exporter/model/kinds.js';
import {
  amount,
  announcement,
  feedback,
  heartbeat,
  hex,
  key,
  request,
  result,
  T0,
} from '../support/dvm-events.js';
import { worstCaseSeries, worstCaseTotal } from './cardinality.js';
import { parseExposition } from './exposition-parse.js';
import { MetricsHarness } from './harness.js';

/** A small deterministic generator (mulberry32), so the workload is the same on every run. */
function rng(seed: number) {
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return { next, pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]! };
}

describe('worst-case series count', () => {
  it('bounds every metric, however adversarial the traffic, with the label cap and allowlist given', async () => {
    const cap = 3;
    const allowlisted = key('allowlisted');
    const dvms = [allowlisted, ...Array.from({ length: 9 }, (_, i) => key(`dvm-${i}`))];
    const strangers = Array.from({ length: 5 }, (_, i) => key(`stranger-${i}`));
    const kinds = [...JOB_KIND_NAMES.keys(), 5204, 5305, 5777];
    const r = rng(42);
    const h = new MetricsHarness({ metrics: { dvmLabelCap: cap, dvmAllowlist: [allowlisted] } });
    const events: DvmEvent[] = dvms.flatMap((dvm, i) => [
      announcement(dvm, `DVM ${i}`, T0),
      heartbeat(dvm, T0),
    ]);
    for (let job = 0; job < 1_500; job++) {
      const at = T0 + job;
      const kind = r.pick(kinds);
      const req = request({
        kind,
        at,
        encryption: r.next() < 0.3 ? 'nip44' : 'none',
        targets: [r.pick(dvms), r.pick(strangers)],
      });
      const requestId = r.next() < 0.1 ? hex(`unseen-${job}`) : r.next() < 0.05 ? null : req.event.id;
      if (requestId === req.event.id) events.push(req);
      for (let n = 0; n < 4; n++) {
        const dvm = r.pick(dvms);
        const status = r.pick(FEEDBACK_STATUSES) as FeedbackStatus;
        events.push(
          r.next() < 0.5
            ? feedback({ dvm, requestId, at: at + n, status, amount: r.next() < 0.3 ? amount(21_000) : null })
            : result({
                dvm,
                requestId,
                at: at + n + 1,
                requestKind: kind,
                encryption: r.next() < 0.3 ? 'nip44' : 'none',
              }),
        );
      }
    }
    h.feed(...events);
    h.at(1_500 + 4_000);
    const samples = parseExposition(await h.scrape());

    const bound = worstCaseSeries({ dvmLabelCap: cap, allowlistSize: 1 });
    const countOf = (family: string) =>
      samples.filter((s) => s.name === family || s.name.replace(/_(bucket|sum|count)$/, '') === family)
        .length;
    for (const [family, limit] of Object.entries(bound))
      expect(countOf(family), family).toBeLessThanOrEqual(limit);
    expect(samples.length).toBeLessThanOrEqual(worstCaseTotal({ dvmLabelCap: cap, allowlistSize: 1 }));

    const dvmValues = new Set(samples.map((s) => s.labels.dvm).filter((v) => v !== undefined));
    expect(dvmValues.size).toBeLessThanOrEqual(cap + 1 + 2);
    expect(dvmValues).toContain(allowlisted);
    expect(dvmValues).toContain('__other__');
    expect(dvmValues).toContain('__unknown__');
    for (const stranger of strangers) expect(dvmValues).not.toContain(stranger);
  });
});
