/** Time source, injected everywhere time matters so tests control it. Seconds since the epoch. */
export interface Clock {
  now(): number;
  /**
   * Shown each accepted event's created_at by the pipeline: an event-time clock (replay's) advances on
   * it; a wall clock has no use for it and leaves it out.
   */
  observe?(createdAt: number): void;
}

export const systemClock: Clock = {
  now: () => Date.now() / 1000,
};

/** A clock that tests (and replay) move by hand. */
export class ManualClock implements Clock {
  constructor(private current = 0) {}
  now(): number {
    return this.current;
  }
  set(seconds: number): void {
    this.current = seconds;
  }
  advance(seconds: number): void {
    this.current += seconds;
  }
}
