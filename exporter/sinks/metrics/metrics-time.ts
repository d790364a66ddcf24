import type { Clock } from '../../base/clock.js';
import type { Mode } from '../../pipeline/sink.js';

/**
 * The metrics sink's sense of time: the pipeline's job-logic clock (wall time in `run`, the newest
 * created_at seen in `replay`, so timeouts and ages there depend on the events alone). Live, only
 * events created within the live window feed counters and histograms: a backfill after a restart, or
 * a first start over days of history, must not show up as a burst in `rate()`. In `replay` every
 * event counts.
 */
export class MetricsTime {
  constructor(
    private readonly mode: Mode,
    private readonly clock: Clock,
    private readonly liveWindowSeconds: number,
  ) {}

  now(): number {
    return this.clock.now();
  }

  /** Whether something that happened at `createdAt` still counts as live now. */
  isLive(createdAt: number): boolean {
    return this.mode === 'replay' || createdAt >= this.clock.now() - this.liveWindowSeconds;
  }

  /** Idle DVM series are removed only while watching live; a replay keeps everything it saw. */
  get expiresIdle(): boolean {
    return this.mode === 'run';
  }
}
