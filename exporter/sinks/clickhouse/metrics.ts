import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import {
  ALTER_REASONS,
  type AlterReason,
  DROP_REASONS,
  type DropReason,
  WRITTEN_TABLES,
  type WrittenTable,
} from './tables.js';

/** The store sink's self-metrics (`dvm_exporter_clickhouse_*`). */
export class StoreMetrics {
  readonly rowsInserted: Counter<'table'>;
  readonly insertErrors: Counter<'table'>;
  readonly rowsDropped: Counter<'table' | 'reason'>;
  readonly rowsAltered: Counter<'table' | 'reason'>;
  readonly insertDuration: Histogram<'table'>;

  constructor(
    registry: Registry,
    state: { queuedRows(): number; queuedBytes(): number; healthy(): boolean; saturated(): boolean },
  ) {
    this.rowsInserted = new Counter({
      name: 'dvm_exporter_clickhouse_rows_inserted_total',
      help: 'Rows written to the ClickHouse store, by table (copies of an event included).',
      labelNames: ['table'],
      registers: [registry],
    });
    this.insertErrors = new Counter({
      name: 'dvm_exporter_clickhouse_insert_errors_total',
      help: 'Failed insert attempts, by table; failed batches are retried with backoff.',
      labelNames: ['table'],
      registers: [registry],
    });
    this.rowsDropped = new Counter({
      name: 'dvm_exporter_clickhouse_rows_dropped_total',
      help: 'Rows that never reached the store, by table and reason.',
      labelNames: ['table', 'reason'],
      registers: [registry],
    });
    this.rowsAltered = new Counter({
      name: 'dvm_exporter_clickhouse_rows_altered_total',
      help: 'Rows stored with a value changed to fit its column, by table and reason.',
      labelNames: ['table', 'reason'],
      registers: [registry],
    });
    this.insertDuration = new Histogram({
      name: 'dvm_exporter_clickhouse_insert_duration_seconds',
      help: 'Time taken by one successful insert, by table.',
      labelNames: ['table'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    new Gauge({
      name: 'dvm_exporter_clickhouse_buffered_rows',
      help: 'Rows queued for the store and not yet written.',
      registers: [registry],
      collect() {
        this.set(state.queuedRows());
      },
    });
    new Gauge({
      name: 'dvm_exporter_clickhouse_buffered_bytes',
      help: 'About the bytes of the rows queued for the store.',
      registers: [registry],
      collect() {
        this.set(state.queuedBytes());
      },
    });
    new Gauge({
      name: 'dvm_exporter_clickhouse_saturated',
      help: '1 while the store queue is at its bound and ingestion waits for it, else 0.',
      registers: [registry],
      collect() {
        this.set(state.saturated() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'dvm_exporter_clickhouse_up',
      help: '1 while the store accepts writes, 0 while inserts are failing and being retried.',
      registers: [registry],
      collect() {
        this.set(state.healthy() ? 1 : 0);
      },
    });
    for (const table of WRITTEN_TABLES) {
      this.rowsInserted.inc({ table }, 0);
      this.insertErrors.inc({ table }, 0);
      this.insertDuration.zero({ table });
      for (const reason of DROP_REASONS) this.rowsDropped.inc({ table, reason }, 0);
      for (const reason of ALTER_REASONS) this.rowsAltered.inc({ table, reason }, 0);
    }
  }

  dropped(table: WrittenTable, reason: DropReason, rows = 1): void {
    this.rowsDropped.inc({ table, reason }, rows);
  }

  altered(table: WrittenTable, reason: AlterReason): void {
    this.rowsAltered.inc({ table, reason });
  }
}
