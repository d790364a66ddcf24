import type { Cancellation } from '../model/dvm-event.js';
import { JOB_LIMITS } from './options.js';
import { RecencyMap } from './recency-map.js';
import { createdBefore } from './response-state.js';

/**
 * Cancellations naming a request the index has not seen. Whether one is valid depends on the request's
 * author, so it waits here until the request arrives. Kept apart from the jobs, so that a flood of
 * kind 5 deletions of unrelated notes cannot push real jobs out; bounded by the same cap and horizon.
 */
export class PendingCancellations {
  private readonly byTarget = new RecencyMap<Cancellation[]>();
  /** Cancellations dropped by the cap, the horizon or the per-target limit. */
  dropped = 0;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.byTarget.size;
  }

  add(targetId: string, cancellation: Cancellation, now: number): void {
    const waiting = this.byTarget.get(targetId);
    if (waiting) {
      if (waiting.some((c) => c.event.id === cancellation.event.id)) return;
      if (waiting.length >= JOB_LIMITS.cancellationsPerTarget) {
        this.dropped++;
        return;
      }
      waiting.push(cancellation);
      return;
    }
    if (this.byTarget.size >= this.capacity) this.dropOldest();
    this.byTarget.set(targetId, [cancellation], now);
  }

  /** Removes and returns what waits for `targetId`, oldest created_at first. */
  take(targetId: string): Cancellation[] {
    const waiting = this.byTarget.delete(targetId);
    if (!waiting) return [];
    return waiting.sort((a, b) => (createdBefore(a.event, b.event) ? -1 : 1));
  }

  /** Drops entries that arrived before `cutoff` (clock seconds). */
  expire(cutoff: number): void {
    for (let oldest = this.byTarget.oldest(); oldest && oldest.at < cutoff; oldest = this.byTarget.oldest()) {
      this.dropOldest();
    }
  }

  private dropOldest(): void {
    const oldest = this.byTarget.oldest();
    if (!oldest) return;
    this.byTarget.delete(oldest.key);
    this.dropped += oldest.value.length;
  }
}
