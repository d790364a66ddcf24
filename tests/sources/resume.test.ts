import { describe, expect, it } from 'vitest';
import { ResumePoint } from '../../exporter/sources/relay/resume.js';

const NOW = 2_000_000;
const live = { caughtUp: true, paused: false, oldestQueued: null };

describe('resume point', () => {
  it('starts from the saved cursor, or the initial window, minus the safety margin', () => {
    expect(new ResumePoint(1_999_000, 300, 3_600).since(NOW)).toBe(1_998_700);
    expect(new ResumePoint(null, 300, 3_600).since(NOW)).toBe(NOW - 3_600 - 300);
  });

  it('follows the newest event taken only while caught up and reading', () => {
    const point = new ResumePoint(1_000, 0, 0);
    point.took(1_500, NOW);
    point.update({ ...live, caughtUp: false });
    expect(point.value).toBe(1_000);
    point.update({ ...live, paused: true });
    expect(point.value).toBe(1_000);
    point.update(live);
    expect(point.value).toBe(1_500);
  });

  it('stays below events still queued, and never takes a created_at from the future', () => {
    const point = new ResumePoint(1_000, 0, 0);
    point.took(1_500, NOW);
    point.update({ ...live, oldestQueued: 1_200 });
    expect(point.value).toBe(1_199);
    point.took(NOW + 5_000, NOW);
    point.update(live);
    expect(point.value).toBe(NOW);
  });

  it('holds below what was shed until a repair has caught up again', () => {
    const point = new ResumePoint(1_000, 10, 0);
    point.took(1_500, NOW);
    point.shed(1_100);
    point.update(live);
    expect(point.value).toBe(1_099);
    // The repair re-subscribes from below the shed event.
    expect(point.takeRepair()).toBe(true);
    expect(point.takeRepair()).toBe(false);
    expect(point.since(NOW)).toBe(1_089);
    point.update({ ...live, caughtUp: false });
    expect(point.value).toBe(1_099);
    point.update(live);
    expect(point.value).toBe(1_500);
    expect(point.shedFrom).toBeNull();
  });
});
