import type { Clock } from '../../util/clock.js';

/** Lets a log line through at most once per interval per key, so a misbehaving relay cannot flood logs. */
export class LogThrottle {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly intervalSeconds: number,
  ) {}

  allow(key: string): boolean {
    const now = this.clock.now();
    const last = this.last.get(key);
    if (last !== undefined && now - last < this.intervalSeconds) return false;
    this.last.set(key, now);
    return true;
  }
}
