import type { Clock } from '../../base/clock.js';
import type { Logger } from '../../base/logger.js';
import type { IngestOutcome } from '../../model/reasons.js';
import type { Pipeline } from '../../pipeline/pipeline.js';
import type { RecentIds } from './recent-ids.js';

/** The side of a relay source that the intake talks to. */
export interface IntakeClient {
  readonly url: string;
  /** The pipeline decided on an event from this relay. */
  handled(outcome: IngestOutcome, createdAt: number | null): void;
  /** An event from this relay was dropped unprocessed (queue full). */
  shed(createdAt: number | null): void;
  pause(): void;
  resume(): void;
  /** The queue emptied after a pause: the moment to repair what was shed. */
  drained(): void;
}

export interface IntakeItem {
  readonly client: IntakeClient;
  readonly event: unknown;
  readonly eventBytes: number;
  readonly createdAt: number | null;
  readonly receivedAt: number;
}

/** Items processed per turn of the event loop while draining, so sockets and timers keep running. */
const DRAIN_BATCH = 256;

/**
 * Where relay events meet the pipeline, with backpressure. While every sink has room, an event goes
 * straight in. When one is saturated, reading stops on every relay (socket pause) and the few frames
 * already in flight wait in a bounded queue; past its bound they are shed: counted per relay, and
 * reported to their relay so its cursor stays behind them and a backfill fetches them again.
 */
export class Intake {
  private queue: IntakeItem[] = [];
  private head = 0;
  private blocked = false;
  private pausedAt = 0;

  constructor(
    private readonly pipeline: Pipeline,
    private recent: RecentIds,
    private readonly maxQueued: number,
    private readonly clients: () => Iterable<IntakeClient>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly onPaused: (seconds: number) => void,
  ) {}

  offer(item: IntakeItem): void {
    if (!this.blocked) {
      const wait = this.pipeline.capacity();
      if (wait === null) {
        this.process(item);
        return;
      }
      this.block(wait);
    }
    if (this.size >= this.maxQueued) {
      item.client.shed(item.createdAt);
      return;
    }
    this.queue.push(item);
  }

  /** Swaps in the ids loaded at start (before any event arrives). */
  useRecentIds(recent: RecentIds): void {
    this.recent = recent;
  }

  /** A frame that is not even JSON: counted by the pipeline, reported to its relay. */
  rejectUnreadable(client: IntakeClient, detail: string): void {
    client.handled(this.pipeline.rejectUnreadable(detail), null);
  }

  get size(): number {
    return this.queue.length - this.head;
  }

  get paused(): boolean {
    return this.blocked;
  }

  /** Reports the time paused so far in a pause still going on, so a pause that never ends shows too. */
  accountPause(): void {
    if (!this.blocked) return;
    const now = this.clock.now();
    this.onPaused(Math.max(0, now - this.pausedAt));
    this.pausedAt = now;
  }

  /** Oldest created_at still waiting from a relay: its cursor must stay below it. */
  oldestQueued(client: IntakeClient): number | null {
    let oldest: number | null = null;
    for (let i = this.head; i < this.queue.length; i++) {
      const item = this.queue[i] as IntakeItem;
      if (item.client === client && item.createdAt !== null && (oldest === null || item.createdAt < oldest)) {
        oldest = item.createdAt;
      }
    }
    return oldest;
  }

  queuedFrom(client: IntakeClient): number {
    let n = 0;
    for (let i = this.head; i < this.queue.length; i++)
      if ((this.queue[i] as IntakeItem).client === client) n++;
    return n;
  }

  /** Drops what is still queued (at shutdown, after the final cursors were taken). */
  clear(): void {
    this.queue = [];
    this.head = 0;
  }

  private block(wait: Promise<void>): void {
    this.blocked = true;
    this.pausedAt = this.clock.now();
    for (const client of this.clients()) client.pause();
    this.logger.debug('a sink is saturated: pausing relay reads');
    this.waitThenDrain(wait);
  }

  private waitThenDrain(wait: Promise<void>): void {
    wait.then(
      () => this.drain(),
      (err: unknown) => {
        this.logger.error({ err }, 'sink capacity wait failed; carrying on');
        this.drain();
      },
    );
  }

  private drain(): void {
    for (let n = 0; n < DRAIN_BATCH && this.size > 0; n++) {
      const wait = this.pipeline.capacity();
      if (wait !== null) {
        this.waitThenDrain(wait);
        return;
      }
      const item = this.queue[this.head] as IntakeItem;
      this.queue[this.head] = undefined as unknown as IntakeItem;
      this.head += 1;
      this.process(item);
    }
    if (this.size > 0) {
      setImmediate(() => this.drain());
      return;
    }
    this.queue = [];
    this.head = 0;
    this.blocked = false;
    this.onPaused(Math.max(0, this.clock.now() - this.pausedAt));
    for (const client of this.clients()) client.resume();
    for (const client of this.clients()) client.drained();
  }

  private process(item: IntakeItem): void {
    const id = (item.event as { id?: unknown } | null)?.id;
    if (this.recent.acceptedBefore(id)) {
      item.client.handled({ status: 'duplicate', id: id as string }, item.createdAt);
      return;
    }
    let outcome: IngestOutcome;
    try {
      outcome = this.pipeline.ingestValue(item.event, item.eventBytes, {
        relay: item.client.url,
        receivedAt: item.receivedAt,
      });
      if (outcome.status === 'accepted' && item.createdAt !== null)
        this.recent.add(outcome.id, item.createdAt);
    } catch (err) {
      // The pipeline promises not to throw; if it does, one event is lost loudly, not the exporter.
      this.logger.error({ err, relay: item.client.url }, 'pipeline threw on a relay event');
      return;
    }
    item.client.handled(outcome, item.createdAt);
  }
}
