import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SIMULATION,
  SIM_DVMS,
  type SimulatedItem,
  type SimulationOptions,
  simulate,
  simulationKeys,
} from '../../exporter/simulate/index.js';

const SHORT: SimulationOptions = { ...DEFAULT_SIMULATION, durationSeconds: 180 };

function run(options: SimulationOptions): SimulatedItem[] {
  return [...simulate(options)];
}

function digest(items: readonly SimulatedItem[]): string {
  const hash = createHash('sha256');
  for (const item of items) hash.update(`${item.line}\n`);
  return hash.digest('hex');
}

describe('simulate', () => {
  const first = run(SHORT);

  it('gives byte-identical output for the same seed, and different output for another', () => {
    expect(digest(run(SHORT))).toBe(digest(first));
    const other = run({ ...SHORT, seed: 2 });
    expect(digest(other)).not.toBe(digest(first));
    // Not just reordered: the events themselves differ.
    const ids = new Set(first.map((item) => item.line));
    expect(other.filter((item) => ids.has(item.line)).length).toBeLessThan(other.length / 2);
  });

  it('hands items out in publication order, inside the requested window', () => {
    for (let i = 1; i < first.length; i++) expect(first[i]!.at).toBeGreaterThanOrEqual(first[i - 1]!.at);
    expect(first[0]!.at).toBe(SHORT.start);
    expect(first.at(-1)!.at).toBeLessThan(SHORT.start + SHORT.durationSeconds);
  });

  it('keeps the valid traffic identical whatever the malformed and duplicate shares', () => {
    const clean = run({ ...SHORT, malformedShare: 0, duplicateShare: 0 });
    expect(clean.every((item) => item.expect.outcome === 'accepted')).toBe(true);
    const noisy = run({ ...SHORT, malformedShare: 0.2, duplicateShare: 0.1 });
    const accepted = (items: SimulatedItem[]) =>
      items.filter((item) => item.expect.outcome === 'accepted').map((item) => item.line);
    expect(accepted(noisy)).toEqual(accepted(clean));
    const share = noisy.filter((item) => item.expect.outcome === 'rejected').length / noisy.length;
    expect(share).toBeGreaterThan(0.12);
    expect(share).toBeLessThan(0.28);
  });

  it('leaves out NIP-40 expiration tags on request, changing nothing else', () => {
    const hasExpiration = (item: SimulatedItem) => item.line.includes('["expiration"');
    expect(first.filter(hasExpiration).length).toBeGreaterThan(50);
    const bare = run({ ...SHORT, expirationTags: false });
    expect(bare.filter(hasExpiration)).toEqual([]);
    expect(bare.map((item) => item.note)).toEqual(first.map((item) => item.note));
  });

  it('repeats duplicates byte for byte, after the first copy', () => {
    const seen = new Map<string, number>();
    const duplicates = first.filter((item) => item.expect.outcome === 'duplicate');
    expect(duplicates.length).toBeGreaterThan(0);
    first.forEach((item, index) => {
      if (item.expect.outcome === 'accepted' && !seen.has(item.line)) seen.set(item.line, index);
    });
    for (const dup of duplicates) {
      const firstIndex = seen.get(dup.line);
      expect(firstIndex).toBeDefined();
      expect(first.indexOf(dup)).toBeGreaterThan(firstIndex!);
    }
  });

  it('streams: a year of traffic starts without generating the rest', () => {
    const year = simulate({ ...DEFAULT_SIMULATION, durationSeconds: 365 * 86_400, requestsPerMinute: 600 });
    let count = 0;
    for (const item of year) {
      expect(item.at).toBeLessThan(DEFAULT_SIMULATION.start + 3600);
      if (++count === 300) break;
    }
    expect(count).toBe(300);
  });

  it('scales the job rate', () => {
    const requests = (items: SimulatedItem[]) =>
      items.filter((item) => item.expect.outcome === 'accepted' && item.expect.role === 'request').length;
    const slow = requests(run({ ...SHORT, requestsPerMinute: 6 }));
    const fast = requests(first);
    expect(fast / slow).toBeGreaterThan(3);
    expect(fast / slow).toBeLessThan(8);
  });

  it('rejects impossible options', () => {
    const bad: Partial<SimulationOptions>[] = [
      { seed: 1.5 },
      { start: -1 },
      { durationSeconds: 0 },
      { requestsPerMinute: 0 },
      { requestsPerMinute: Number.NaN },
      { malformedShare: 1 },
      { malformedShare: -0.1 },
      { duplicateShare: 2 },
    ];
    for (const patch of bad) expect(() => simulate({ ...SHORT, ...patch }).next()).toThrow(RangeError);
  });

  it('derives the same keys from the same seed; DVM keys are the same market for every seed', () => {
    const a = simulationKeys(1);
    const b = simulationKeys(1);
    const c = simulationKeys(2);
    expect(a.customers.map((k) => k.pubkey)).toEqual(b.customers.map((k) => k.pubkey));
    expect(c.customers[0]!.pubkey).not.toBe(a.customers[0]!.pubkey);
    expect(a.dvms.map((d) => d.pubkey)).toEqual(SIM_DVMS.map((d) => d.pubkey));
    expect(c.dvms.map((d) => d.pubkey)).toEqual(SIM_DVMS.map((d) => d.pubkey));
    expect(new Set(SIM_DVMS.map((d) => d.pubkey)).size).toBe(SIM_DVMS.length);
    expect(a.testCustomer.pubkey).toBe('79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798');
  });
});
