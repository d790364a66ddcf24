import type { Clock } from '../base/clock.js';

/** Keys seen within the last `ttlSeconds`, at most `capacity` of them (the oldest forgotten first). */
export class RecentKeys {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlSeconds: number,
    private readonly capacity = 10_000,
  ) {}

  has(key: string): boolean {
    const at = this.seen.get(key);
    return at !== undefined && this.clock.now() - at < this.ttlSeconds;
  }

  add(key: string): void {
    this.seen.delete(key);
    this.seen.set(key, this.clock.now());
    while (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value as string);
  }
}

/** At most `perHour` messages per recipient in any sliding hour. */
export class RateLimiter {
  private readonly sent = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly perHour: number,
  ) {}

  /** Takes one message's place for `recipient`; false when the hour's allowance is used up. */
  take(recipient: string): boolean {
    const now = this.clock.now();
    const recent = (this.sent.get(recipient) ?? []).filter((at) => now - at < 3_600);
    if (recent.length >= this.perHour) {
      this.sent.set(recipient, recent);
      return false;
    }
    recent.push(now);
    this.sent.set(recipient, recent);
    return true;
  }
}
