import type { Clock } from '../../base/clock.js';
import type { Mode } from '../../pipeline/sink.js';

/**
 * The metrics sink's sense of time. Live (`run`), the present is the wall clock and only events created
 * within the live window feed counters and histograms: a backfill after a restart, or a first start over
 * days of history, must not show up as a burst in `rate()`. In `replay` every event counts, and the
 * present is the newest created_at seen, so timeouts and ages depend on the events alone.
 */
export class MetricsTime {
  private watermark = 0;

  constructor(
    private readonly mode: Mode,
    private readonly wallClock: Clock,
    private readonly liveWindowSeconds: number,
  ) {}

  observe(createdAt: number): void {
    if (createdAt > this.watermark) this.watermark = createdAt;
  }

  now(): number {
    return this.mode === 'run' ? this.wallClock.now() : this.watermark;
  }

  /** Whether something that happened at `createdAt` still counts as live now. */
  isLive(createdAt: number): boolean {
    return this.mode === 'replay' || createdAt >= this.wallClock.now() - this.liveWindowSeconds;
  }

  /** Idle DVM series are removed only while watching live; a replay keeps everything it saw. */
  get expiresIdle(): boolean {
    return this.mode === 'run';
  }
}
