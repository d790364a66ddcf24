import type { ClickHouseSettings } from '@clickhouse/client';
import type { Registry } from 'prom-client';
import type { Clock } from '../../base/clock.js';
import { LogThrottle } from '../../base/log-throttle.js';
import type { Logger } from '../../base/logger.js';
import type { DomainEvent, EventAccepted } from '../../jobs/domain-events.js';
import type { CursorStore } from '../../pipeline/cursor.js';
import type { Sink } from '../../pipeline/sink.js';
import { StoreCursorStore } from '../../store/cursor-store.js';
import { errorMessage } from '../../store/errors.js';
import type { Store } from '../../store/store.js';
import { StoreMetrics } from './metrics.js';
import { announcementRow, eventRow, sightingRow } from './rows.js';
import type { WrittenTable } from './tables.js';
import { wellFormedRow } from './well-formed.js';
import { BatchWriter, type WriterOptions } from './writer.js';

/** Events signed before this (2020-01-01) predate NIP-90 by years: a wrong clock or junk. */
export const MIN_CREATED_AT = 1_577_836_800;
/** Events dated further ahead than this would open junk partitions. */
export const MAX_FUTURE_SECONDS = 600;

export interface ClickHouseSinkOptions extends WriterOptions {
  /** Server inserts through async_insert (micro-batches of several exporters merge server-side). */
  readonly asyncInsert: boolean;
}

export interface ClickHouseSinkDeps {
  readonly registry: Registry;
  readonly logger: Logger;
  readonly wallClock: Clock;
  /** Runs once before the first write (deferred schema migrations when the store was down at start). */
  readonly beforeFirstWrite?: () => Promise<void>;
  /** Why the store did not answer at start, when `beforeFirstWrite` is deferred. */
  readonly startError?: string;
  /** Runs after the store is closed. */
  readonly afterClose?: () => void;
}

/**
 * Writes the history into the store. Only `event_accepted` and `event_sighted` are stored: jobs,
 * responses, payments and chains are derived from the events by SQL (see docs/clickhouse.md), so they
 * cannot depend on the order or timing in which the job index saw things.
 */
export class ClickHouseSink implements Sink {
  readonly name = 'clickhouse';
  private readonly writer: BatchWriter;
  private readonly metrics: StoreMetrics;
  private outOfRange = 0;
  private readonly outOfRangeLog: LogThrottle;
  private closed: Promise<void> | null = null;
  /** Set while the schema waits for a store that did not answer at start: why, and since when. */
  private unreachable: { error: string; since: number } | null = null;
  private wakeConnect: (() => void) | null = null;

  constructor(
    readonly store: Store,
    private readonly options: ClickHouseSinkOptions,
    private readonly deps: ClickHouseSinkDeps,
  ) {
    this.outOfRangeLog = new LogThrottle(deps.wallClock, 10);
    this.metrics = new StoreMetrics(deps.registry, {
      queuedRows: () => this.writer.queuedRows,
      queuedBytes: () => this.writer.queuedBytes,
      healthy: () => this.writer.healthy && this.unreachable === null,
      saturated: () => this.writer.saturated,
    });
    this.writer = new BatchWriter(
      async (table, rows) => {
        if (this.unreachable !== null) throw new Error(`store unreachable: ${this.unreachable.error}`);
        await this.insert(table, rows);
      },
      options,
      this.metrics,
      deps.logger,
    );
    if (deps.beforeFirstWrite) {
      this.unreachable = { error: deps.startError ?? 'not connected yet', since: deps.wallClock.now() };
      void this.connect(deps.beforeFirstWrite);
    }
  }

  /** Retries the deferred start-up (migrations) with backoff until the store answers or the sink closes. */
  private async connect(start: () => Promise<void>): Promise<void> {
    for (let attempt = 1; this.closed === null; attempt++) {
      try {
        await start();
        this.unreachable = null;
        this.writer.retryNow();
        return;
      } catch (error) {
        if (this.unreachable) this.unreachable = { ...this.unreachable, error: errorMessage(error) };
        const { retryInitialMs, retryMaxMs } = this.options;
        const delayMs = Math.min(retryInitialMs * 2 ** (attempt - 1), retryMaxMs);
        this.deps.logger.warn(
          { attempt, retryInMs: delayMs, err: errorMessage(error) },
          'store unreachable; retrying',
        );
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delayMs);
          timer.unref();
          this.wakeConnect = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeConnect = null;
      }
    }
  }

  handle(event: DomainEvent): void {
    if (event.type === 'event_accepted') this.accept(event);
    else if (event.type === 'event_sighted' && event.relay !== null) {
      this.push('relay_sightings', sightingRow(event.id, event.relay, event.receivedAt, false));
    }
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      this.wakeConnect?.();
      try {
        // A store that never answered since start will not in the next seconds: count the queue at once.
        await this.writer.close(this.unreachable !== null ? 0 : undefined);
      } finally {
        await this.store.close();
        this.deps.afterClose?.();
      }
    })();
    return this.closed;
  }

  capacity(): Promise<void> | null {
    return this.writer.capacity();
  }

  healthy(): boolean {
    return this.unreachable === null && this.writer.healthy && !this.writer.saturated;
  }

  /** Why the store is not keeping up, for /readyz; null while it is. */
  problem(): string | null {
    const parts: string[] = [];
    const now = this.deps.wallClock.now();
    const failure = this.writer.failure();
    if (this.unreachable !== null) {
      const seconds = Math.round(now - this.unreachable.since);
      parts.push(`store unreachable for ${seconds} s (${this.unreachable.error}), retrying`);
    } else if (failure !== null) {
      const seconds = Math.max(0, Math.round(now - failure.sinceMs / 1000));
      parts.push(`store writes failing for ${seconds} s (${failure.error}), retrying`);
    }
    if (this.writer.saturated) parts.push('store queue full: ingestion paused');
    if (parts.length === 0) return null;
    return `${parts.join('; ')}; ${this.writer.queuedRows} rows queued`;
  }

  /** Relay cursors kept in this store, saved only once the sink has written what they cover. */
  cursorStore(): CursorStore {
    return new StoreCursorStore(this.store.client, () => this.flush(), this.deps.wallClock);
  }

  private accept(accepted: EventAccepted): void {
    const { event, relay, receivedAt } = accepted;
    const createdAt = event.event.created_at;
    if (createdAt < MIN_CREATED_AT || createdAt > this.deps.wallClock.now() + MAX_FUTURE_SECONDS) {
      this.rejectOutOfRange(event.event.id, createdAt);
      return;
    }
    this.push('events', eventRow(event, relay, receivedAt));
    if (event.role === 'announcement') this.push('dvm_announcements', announcementRow(event));
    if (relay !== null) this.push('relay_sightings', sightingRow(event.event.id, relay, receivedAt, true));
  }

  /** Queues a row whose strings the engine can all take (see well-formed.ts). */
  private push(table: WrittenTable, row: object): void {
    const fixed = wellFormedRow(row);
    if (fixed !== null) this.metrics.altered(table, 'lone_surrogate');
    this.writer.push(table, fixed ?? row);
  }

  private rejectOutOfRange(id: string, createdAt: number): void {
    this.metrics.dropped('events', 'created_at_out_of_range');
    this.outOfRange++;
    // A flood of junk must not flood the log.
    const held = this.outOfRangeLog.take('out_of_range');
    if (held !== null) {
      this.deps.logger.warn(
        { id, createdAt, total: this.outOfRange, held },
        'event not stored: created_at out of range',
      );
    }
  }

  /**
   * A server merges the micro-batches of every exporter itself (async_insert). The embedded engine
   * parses each batch on one thread: starting a parsing pool per batch cost more than it saved.
   */
  private get insertSettings(): ClickHouseSettings {
    if (this.options.asyncInsert) return { async_insert: 1, wait_for_async_insert: 1 };
    return this.store.target.kind === 'embedded' ? { input_format_parallel_parsing: 0 } : {};
  }

  private async insert(table: WrittenTable, rows: readonly object[]): Promise<void> {
    // Positional rows: ClickHouse parses them about twice as fast as objects with keys.
    const columns = Object.keys(rows[0] ?? {});
    await this.store.client.insert({
      table,
      columns: columns as [string, ...string[]],
      values: rows.map((row) => columns.map((column) => (row as Record<string, unknown>)[column])),
      format: 'JSONCompactEachRow',
      clickhouse_settings: this.insertSettings,
    });
  }
}
