/** Time source, injected everywhere time matters so tests control it. Seconds since the epoch. */
export interface Clock {
  now(): number;
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
