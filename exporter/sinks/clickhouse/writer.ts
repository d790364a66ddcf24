import type { Logger } from '../../app/logger.js';
import { errorMessage, isDataError } from '../../store/errors.js';
import type { StoreMetrics } from './metrics.js';
import { WRITTEN_TABLES, type WrittenTable } from './tables.js';

export interface WriterOptions {
  /** A batch is written as soon as this many rows are queued. */
  readonly batchMaxRows: number;
  /** ...or once the oldest queued row has waited this long. */
  readonly flushIntervalMs: number;
  /** Backpressure: `capacity()` makes producers wait while this many rows are queued. */
  readonly maxQueuedRows: number;
  /** At close, how long to keep retrying an unreachable store before giving the queue up. */
  readonly closeTimeoutMs: number;
  /** Retry delays double from `retryInitialMs` up to `retryMaxMs`. */
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
}

export const DEFAULT_WRITER_TIMING = {
  closeTimeoutMs: 15_000,
  retryInitialMs: 250,
  retryMaxMs: 30_000,
} as const;

export type InsertRows = (table: WrittenTable, rows: readonly object[]) => Promise<void>;

interface Entry {
  readonly table: WrittenTable;
  readonly row: object;
}

/** A producer ignoring backpressure gets this much slack before rows are dropped (and counted). */
const HARD_LIMIT_FACTOR = 2;

/**
 * Micro-batching writer: rows queue in arrival order and go out in batches when enough have gathered,
 * when the oldest has waited `flushIntervalMs`, or when someone flushes. One batch is in flight at a
 * time. A failed insert is retried with exponential backoff until it succeeds; rows ClickHouse itself
 * refuses are isolated by splitting the batch, then dropped and counted. Nothing leaves the queue
 * without being written or counted.
 */
export class BatchWriter {
  private queue: Entry[] = [];
  private head = 0;
  /** Entries ever queued / ever taken off the queue (written or counted as dropped). */
  private pushed = 0;
  private done = 0;
  private flushWaiters: Array<{ readonly target: number; readonly resolve: () => void }> = [];
  private capacityWaiters: Array<() => void> = [];
  private timer: NodeJS.Timeout | null = null;
  private timeUp = false;
  private running = false;
  private failing = false;
  private closing = false;
  private abandoned = false;
  private wakeBackoff: (() => void) | null = null;
  private closed: Promise<void> | null = null;

  constructor(
    private readonly insert: InsertRows,
    private readonly options: WriterOptions,
    private readonly metrics: StoreMetrics,
    private readonly logger: Logger,
  ) {}

  get queuedRows(): number {
    return this.pushed - this.done;
  }

  /** False while inserts fail and are being retried. */
  get healthy(): boolean {
    return !this.failing;
  }

  push(table: WrittenTable, row: object): void {
    if (this.abandoned) {
      this.metrics.dropped(table, 'shutdown');
      return;
    }
    if (this.queuedRows >= this.options.maxQueuedRows * HARD_LIMIT_FACTOR) {
      this.metrics.dropped(table, 'queue_full');
      this.logger.error(
        { table, queued: this.queuedRows },
        'store queue full: row dropped (producer ignored backpressure)',
      );
      return;
    }
    this.queue.push({ table, row });
    this.pushed++;
    if (this.queuedRows >= this.options.batchMaxRows) this.kick();
    else if (!this.timer && !this.timeUp) this.startTimer();
  }

  capacity(): Promise<void> | null {
    if (this.queuedRows < this.options.maxQueuedRows || this.abandoned) return null;
    return new Promise((resolve) => this.capacityWaiters.push(resolve));
  }

  /** Resolves once every row pushed before the call is written (or counted as dropped). */
  flush(): Promise<void> {
    if (this.queuedRows === 0) return Promise.resolve();
    const target = this.pushed;
    const done = new Promise<void>((resolve) => this.flushWaiters.push({ target, resolve }));
    this.kick();
    return done;
  }

  /** Writes what is queued; if the store stays unreachable past the close timeout, counts the rest as dropped. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.closing = true;
      const giveUp = setTimeout(() => this.abandon(), this.options.closeTimeoutMs);
      try {
        await this.flush();
      } finally {
        clearTimeout(giveUp);
        if (this.timer) clearTimeout(this.timer);
        this.timer = null;
        // Closed: anything handed over from now on can never be written, and is counted.
        this.abandoned = true;
      }
    })();
    return this.closed;
  }

  private startTimer(): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timeUp = true;
      this.kick();
    }, this.options.flushIntervalMs);
    this.timer.unref();
  }

  private shouldWrite(): boolean {
    if (this.queuedRows === 0) return false;
    return (
      this.timeUp ||
      this.closing ||
      this.queuedRows >= this.options.batchMaxRows ||
      this.flushWaiters.some((waiter) => waiter.target > this.done)
    );
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    void this.loop();
  }

  private async loop(): Promise<void> {
    try {
      while (this.shouldWrite()) {
        const count = Math.min(this.queuedRows, this.options.batchMaxRows);
        const batch = this.queue.slice(this.head, this.head + count);
        await this.writeBatch(batch);
        this.head += count;
        this.done += count;
        if (this.head > 4096 && this.head * 2 > this.queue.length) {
          this.queue = this.queue.slice(this.head);
          this.head = 0;
        }
        if (this.queuedRows === 0) this.timeUp = false;
        this.settleWaiters();
      }
    } finally {
      this.running = false;
    }
    if (this.queuedRows > 0 && !this.timer && !this.timeUp) this.startTimer();
  }

  private settleWaiters(): void {
    const ready = this.flushWaiters.filter((waiter) => waiter.target <= this.done);
    this.flushWaiters = this.flushWaiters.filter((waiter) => waiter.target > this.done);
    for (const waiter of ready) waiter.resolve();
    if (this.queuedRows < this.options.maxQueuedRows || this.abandoned) {
      const waiting = this.capacityWaiters;
      this.capacityWaiters = [];
      for (const resolve of waiting) resolve();
    }
  }

  private async writeBatch(batch: readonly Entry[]): Promise<void> {
    for (const table of WRITTEN_TABLES) {
      const rows = batch.filter((entry) => entry.table === table).map((entry) => entry.row);
      if (rows.length > 0) await this.writeWithRetry(table, rows);
    }
  }

  private async writeWithRetry(table: WrittenTable, rows: readonly object[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (this.abandoned) {
        this.metrics.dropped(table, 'shutdown', rows.length);
        return;
      }
      try {
        await this.insertIsolating(table, rows);
        if (this.failing) this.logger.info({ table, attempts: attempt }, 'store writes recovered');
        this.failing = false;
        return;
      } catch (error) {
        this.failing = true;
        const delayMs = Math.min(this.options.retryInitialMs * 2 ** (attempt - 1), this.options.retryMaxMs);
        this.logger.warn(
          { table, rows: rows.length, attempt, retryInMs: delayMs, err: errorMessage(error) },
          'store insert failed; retrying',
        );
        await this.backoff(delayMs);
      }
    }
  }

  /** Inserts rows; when ClickHouse refuses the data itself, halves the batch until the bad rows are alone. */
  private async insertIsolating(table: WrittenTable, rows: readonly object[]): Promise<void> {
    const started = process.hrtime.bigint();
    try {
      await this.insert(table, rows);
    } catch (error) {
      this.metrics.insertErrors.inc({ table });
      if (!isDataError(error)) throw error;
      if (rows.length === 1) {
        this.metrics.dropped(table, 'rejected');
        this.logger.error(
          { table, id: (rows[0] as { id?: unknown }).id, err: errorMessage(error) },
          'the store refused a row; dropped',
        );
        return;
      }
      const middle = rows.length >> 1;
      await this.insertIsolating(table, rows.slice(0, middle));
      await this.insertIsolating(table, rows.slice(middle));
      return;
    }
    this.metrics.insertDuration.observe({ table }, Number(process.hrtime.bigint() - started) / 1e9);
    this.metrics.rowsInserted.inc({ table }, rows.length);
  }

  private backoff(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeBackoff = () => {
        this.wakeBackoff = null;
        done();
      };
    });
  }

  private abandon(): void {
    if (this.queuedRows > 0) {
      this.logger.error(
        { rows: this.queuedRows },
        'store unreachable at shutdown: queued rows not written (relay cursors were not advanced past them)',
      );
    }
    this.abandoned = true;
    this.wakeBackoff?.();
    this.settleWaiters();
  }
}
