import type { Clock } from './clock.js';

/**
 * Replay's clock: time is the newest created_at seen so far, so settle windows and expiry in a replay
 * depend only on the events, never on how fast the file was read.
 */
export class EventTimeClock implements Required<Clock> {
  private watermark = 0;

  now(): number {
    return this.watermark;
  }

  observe(createdAt: number): void {
    if (createdAt > this.watermark) this.watermark = createdAt;
  }
}
