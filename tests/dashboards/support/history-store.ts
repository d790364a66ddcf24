import { rmSync } from 'node:fs';
import { type SimulatedItem, simulate } from '../../../exporter/simulate/index.js';
import { Store } from '../../../exporter/store/store.js';
import { feed, pipelineEvents, tempDataDir, testSink } from '../../clickhouse/helpers.js';

/**
 * An embedded store (chdb) filled the way the exporter fills it: simulator traffic through the real
 * pipeline into the real ClickHouse sink. The traffic ends now, so the dashboards' "last 24 hours"
 * and "last week" windows see it too.
 */

export interface FilledStore {
  readonly store: Store;
  readonly items: readonly SimulatedItem[];
  /** Unix seconds of the first and last simulated event. */
  readonly start: number;
  readonly end: number;
  /** Closes the store and removes its data directory. */
  dispose(): Promise<void>;
}

export async function filledStore(durationSeconds = 3600, seed = 11): Promise<FilledStore> {
  const end = Math.floor(Date.now() / 1000);
  const start = end - durationSeconds;
  const items = [...simulate({ seed, start, durationSeconds, requestsPerMinute: 12, malformedShare: 0.03 })];
  const path = tempDataDir('dashboards');
  const store = await Store.open({ kind: 'embedded', path }, { create: true });
  await store.migrate();
  // One large batch, as `replay` writes a backfill.
  const sink = testSink(store, { batchMaxRows: 20_000, maxQueuedRows: 100_000 });
  const events = await pipelineEvents(
    items.map((i) => ({ line: i.line, relay: 'wss://sim.example', receivedAt: i.at })),
  );
  await feed(sink, events);
  await sink.flush();
  const dispose = async () => {
    await store.close();
    rmSync(path, { recursive: true, force: true });
  };
  return { store, items, start, end, dispose };
}

export interface Column {
  name: string;
  type: string;
}

export interface QueryResult {
  columns: Column[];
  rows: unknown[][];
}

/** Runs SQL as Grafana's read-only user would (readonly=1), returning typed columns and rows. */
export async function runReadOnly(store: Store, sql: string): Promise<QueryResult> {
  const result = await store.client.query({
    query: sql,
    format: 'JSONCompactEachRowWithNamesAndTypes',
    clickhouse_settings: { readonly: '1', output_format_json_quote_64bit_integers: 0 },
  });
  const lines = (await result.text())
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown[]);
  const [names = [], types = [], ...rows] = lines;
  return { columns: names.map((n, i) => ({ name: String(n), type: String(types[i]) })), rows };
}
