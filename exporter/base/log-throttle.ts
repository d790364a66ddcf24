import type { Clock } from './clock.js';

/**
 * The one policy for log lines that can repeat without end (a relay that stays down, a flood of bad
 * events, a sink that keeps failing): the first of each key is written, then at most one per interval,
 * each carrying how many were held back since the last one written. `reset` makes the next one a
 * "first" again (the relay came back, so its next failure is news).
 */
export class LogThrottle {
  private readonly keys = new Map<string, { at: number; held: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly intervalSeconds: number,
    /** Keys remembered; past it the oldest is forgotten (its next line counts as a first). */
    private readonly maxKeys = 1_000,
  ) {}

  /** null: hold this line back. Otherwise write it: the number is how many were held back before it. */
  take(key: string): number | null {
    const now = this.clock.now();
    const state = this.keys.get(key);
    if (state !== undefined && now - state.at < this.intervalSeconds) {
      state.held += 1;
      return null;
    }
    const held = state?.held ?? 0;
    this.keys.delete(key);
    this.keys.set(key, { at: now, held: 0 });
    if (this.keys.size > this.maxKeys) this.keys.delete(this.keys.keys().next().value as string);
    return held;
  }

  /** Whether a line for `key` was written before (and not reset since). */
  seen(key: string): boolean {
    return this.keys.has(key);
  }

  reset(key: string): void {
    this.keys.delete(key);
  }
}
