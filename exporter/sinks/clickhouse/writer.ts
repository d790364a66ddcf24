import type { Logger } from '../../base/logger.js';
import { errorMessage, type RowRefusal, rowRefusalOf } from '../../store/errors.js';
import type { StoreMetrics } from './metrics.js';
import { WRITTEN_TABLES, type WrittenTable } from './tables.js';

export interface WriterOptions {
  /** A batch is written as soon as this many rows are queued. */
  readonly batchMaxRows: number;
  /** ...or once the oldest queued row has waited this long. */
  readonly flushIntervalMs: number;
  /** Backpressure: `capacity()` makes producers wait while this many rows are queued. */
  readonly maxQueuedRows: number;
  /** A batch also ends once its rows hold about this many bytes (one insert body stays small). */
  readonly batchMaxBytes: number;
  /** ...and producers also wait while the queued rows hold about this many bytes. */
  readonly maxQueuedBytes: number;
  /** At close, how long to keep retrying an unreachable store before giving the queue up. */
  readonly closeTimeoutMs: number;
  /** Retry delays double from `retryInitialMs` up to `retryMaxMs`. */
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
}

export const DEFAULT_WRITER_TIMING = {
  batchMaxBytes: 16 * 1024 * 1024,
  maxQueuedBytes: 256 * 1024 * 1024,
  closeTimeoutMs: 15_000,
  retryInitialMs: 250,
  retryMaxMs: 30_000,
} as const;

export type InsertRows = (table: WrittenTable, rows: readonly object[]) => Promise<void>;

interface Entry {
  readonly table: WrittenTable;
  readonly row: object;
  /** About the size of the row's JSON (strings count their length). */
  readonly bytes: number;
}

/** About the size of a value's JSON: strings by length, 8 per number, nested arrays summed. */
export function approximateBytes(value: unknown): number {
  if (typeof value === 'string') return value.length + 3;
  if (Array.isArray(value)) {
    let total = 2;
    for (const item of value) total += approximateBytes(item) + 1;
    return total;
  }
  if (value !== null && typeof value === 'object') {
    let total = 2;
    for (const item of Object.values(value)) total += approximateBytes(item) + 1;
    return total;
  }
  return 8;
}

/** A producer ignoring backpressure gets this much slack before rows are dropped (and counted). */
const HARD_LIMIT_FACTOR = 2;

/**
 * Micro-batching writer: rows queue in arrival order and go out in batches when enough have gathered,
 * when the oldest has waited `flushIntervalMs`, or when someone flushes. One batch is in flight at a
 * time. Rows ClickHouse itself refuses (a data error: parse, type, range, size) are isolated by halving
 * the batch until each is alone, then dropped, logged with their id and counted by reason; the rest of
 * the batch is written. Any other failure (the store unreachable, overloaded, misconfigured) is
 * retried with exponential backoff, resuming where the last attempt stopped so no part is written
 * twice. Nothing leaves the queue without being written or counted.
 */
export class BatchWriter {
  private queue: Entry[] = [];
  private head = 0;
  /** Entries ever queued / ever taken off the queue (written or counted as dropped). */
  private pushed = 0;
  private done = 0;
  private bytesQueued = 0;
  private refused = 0;
  private lastError: string | null = null;
  private failingSince: number | null = null;
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

  /** About the bytes of the queued rows. */
  get queuedBytes(): number {
    return this.bytesQueued;
  }

  /** False while inserts fail and are being retried. */
  get healthy(): boolean {
    return !this.failing;
  }

  /** True while producers are made to wait (the queue is at its bound). */
  get saturated(): boolean {
    return (
      !this.abandoned &&
      (this.queuedRows >= this.options.maxQueuedRows || this.bytesQueued >= this.options.maxQueuedBytes)
    );
  }

  /** While inserts fail: the last error and since when (ms since the epoch); null while they succeed. */
  failure(): { readonly error: string; readonly sinceMs: number } | null {
    if (!this.failing) return null;
    return { error: this.lastError ?? 'unknown error', sinceMs: this.failingSince ?? Date.now() };
  }

  push(table: WrittenTable, row: object): void {
    if (this.abandoned) {
      this.metrics.dropped(table, 'shutdown');
      return;
    }
    if (
      this.queuedRows >= this.options.maxQueuedRows * HARD_LIMIT_FACTOR ||
      this.bytesQueued >= this.options.maxQueuedBytes * HARD_LIMIT_FACTOR
    ) {
      this.metrics.dropped(table, 'queue_full');
      this.logger.error(
        { table, queued: this.queuedRows },
        'store queue full: row dropped (producer ignored backpressure)',
      );
      return;
    }
    const bytes = approximateBytes(row);
    this.queue.push({ table, row, bytes });
    this.pushed++;
    this.bytesQueued += bytes;
    if (this.queuedRows >= this.options.batchMaxRows) this.kick();
    else if (!this.timer && !this.timeUp) this.startTimer();
  }

  capacity(): Promise<void> | null {
    if (!this.saturated) return null;
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
  close(giveUpAfterMs = this.options.closeTimeoutMs): Promise<void> {
    this.closed ??= (async () => {
      this.closing = true;
      const giveUp = setTimeout(() => this.abandon(), giveUpAfterMs);
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

  /** Ends a retry wait early (the store is known to be back). */
  retryNow(): void {
    this.wakeBackoff?.();
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
      this.bytesQueued >= this.options.batchMaxBytes ||
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
        const count = this.nextBatchSize();
        const batch = this.queue.slice(this.head, this.head + count);
        await this.writeBatch(batch);
        this.head += count;
        this.done += count;
        for (const entry of batch) this.bytesQueued -= entry.bytes;
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

  /** Rows up to `batchMaxRows` and about `batchMaxBytes` (always at least one). */
  private nextBatchSize(): number {
    const limit = Math.min(this.queuedRows, this.options.batchMaxRows);
    let bytes = 0;
    let count = 0;
    while (count < limit) {
      bytes += (this.queue[this.head + count] as Entry).bytes;
      if (count > 0 && bytes > this.options.batchMaxBytes) break;
      count++;
    }
    return count;
  }

  private settleWaiters(): void {
    const ready = this.flushWaiters.filter((waiter) => waiter.target <= this.done);
    this.flushWaiters = this.flushWaiters.filter((waiter) => waiter.target > this.done);
    for (const waiter of ready) waiter.resolve();
    if (!this.saturated) {
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
    // The parts not yet written: a retry resumes here, so a part written before a failure is not written twice.
    const pending: (readonly object[])[] = [rows];
    for (let attempt = 1; ; attempt++) {
      if (this.abandoned) {
        this.metrics.dropped(
          table,
          'shutdown',
          pending.reduce((sum, part) => sum + part.length, 0),
        );
        return;
      }
      try {
        await this.insertIsolating(table, pending);
        if (this.failing) this.logger.info({ table, attempts: attempt }, 'store writes recovered');
        this.failing = false;
        this.failingSince = null;
        this.lastError = null;
        return;
      } catch (error) {
        if (!this.failing) this.failingSince = Date.now();
        this.failing = true;
        this.lastError = errorMessage(error);
        const delayMs = Math.min(this.options.retryInitialMs * 2 ** (attempt - 1), this.options.retryMaxMs);
        this.logger.warn(
          { table, rows: rows.length, attempt, retryInMs: delayMs, err: this.lastError },
          'store insert failed; retrying',
        );
        await this.backoff(delayMs);
      }
    }
  }

  /**
   * Writes the pending parts in order. A part ClickHouse refuses for its data is halved until the bad
   * rows are alone; those are dropped and counted. Any other failure is thrown, leaving what is still
   * unwritten in `pending`.
   */
  private async insertIsolating(table: WrittenTable, pending: (readonly object[])[]): Promise<void> {
    while (pending.length > 0) {
      const part = pending[0] as readonly object[];
      const started = process.hrtime.bigint();
      try {
        await this.insert(table, part);
      } catch (error) {
        this.metrics.insertErrors.inc({ table });
        const refusal = rowRefusalOf(error);
        if (refusal === null) throw error;
        pending.shift();
        if (part.length === 1) this.refuse(table, part[0] as object, refusal, error);
        else {
          const middle = part.length >> 1;
          pending.unshift(part.slice(0, middle), part.slice(middle));
        }
        continue;
      }
      pending.shift();
      this.metrics.insertDuration.observe({ table }, Number(process.hrtime.bigint() - started) / 1e9);
      this.metrics.rowsInserted.inc({ table }, part.length);
    }
  }

  private refuse(table: WrittenTable, row: object, refusal: RowRefusal, error: unknown): void {
    this.metrics.dropped(table, `refused_${refusal}`);
    this.refused++;
    // Each refused row is logged once; past the first few, every thousandth (a flood must not flood the log).
    if (this.refused <= 10 || this.refused % 1000 === 0) {
      this.logger.error(
        {
          table,
          id: (row as { id?: unknown }).id,
          reason: refusal,
          err: errorMessage(error),
          total: this.refused,
        },
        'the store refused a row; dropped',
      );
    }
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
