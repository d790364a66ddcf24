import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../exporter/base/clock.js';
import { LogThrottle } from '../../exporter/base/log-throttle.js';

describe('LogThrottle', () => {
  it('writes the first line of a key, then at most one per interval with the count held back', () => {
    const clock = new ManualClock(1_000);
    const throttle = new LogThrottle(clock, 300);
    const written: [number, number][] = [];
    // One line a second for 1,000 s: lines at 0, 300, 600, 900 are written.
    for (let t = 0; t < 1_000; t++) {
      clock.set(1_000 + t);
      const held = throttle.take('down');
      if (held !== null) written.push([t, held]);
    }
    expect(written).toEqual([
      [0, 0],
      [300, 299],
      [600, 299],
      [900, 299],
    ]);
  });

  it('keeps keys apart, and a reset makes the next line a first again', () => {
    const clock = new ManualClock(0);
    const throttle = new LogThrottle(clock, 10);
    expect(throttle.take('a')).toBe(0);
    expect(throttle.take('b')).toBe(0);
    expect(throttle.take('a')).toBeNull();
    expect(throttle.seen('a')).toBe(true);
    throttle.reset('a');
    expect(throttle.seen('a')).toBe(false);
    expect(throttle.take('a')).toBe(0);
  });

  it('remembers a bounded number of keys', () => {
    const clock = new ManualClock(0);
    const throttle = new LogThrottle(clock, 10, 3);
    for (const key of ['a', 'b', 'c', 'd']) throttle.take(key);
    expect(throttle.seen('a')).toBe(false);
    expect(throttle.seen('d')).toBe(true);
  });
});
