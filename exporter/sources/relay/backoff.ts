/**
 * Reconnect delays: exponential from `minSeconds` up to `maxSeconds`, with "equal jitter" (half fixed,
 * half random) so that many exporters restarted together do not hammer a relay in step, while a retry
 * never comes sooner than half the nominal delay.
 */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly minSeconds: number,
    private readonly maxSeconds: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** Delay before the next attempt, in seconds; each call counts one more failure. */
  next(): number {
    const nominal = Math.min(this.maxSeconds, this.minSeconds * 2 ** Math.min(this.failures, 52));
    this.failures += 1;
    return nominal / 2 + (nominal / 2) * this.random();
  }

  /** A connection that proved healthy starts the sequence over. */
  reset(): void {
    this.failures = 0;
  }

  get attempts(): number {
    return this.failures;
  }
}
