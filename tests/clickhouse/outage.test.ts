import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assemble } from '../../exporter/app/assemble.js';
import { EventTimeClock } from '../../exporter/base/event-time-clock.js';
import { loadConfig } from '../../exporter/config/load.js';
import type { DomainEvent } from '../../exporter/jobs/domain-events.js';
import { createVerifier } from '../../exporter/model/verify.js';
import { clickhouseSinkFactory } from '../../exporter/sinks/clickhouse/index.js';
import type { ClickHouseSink } from '../../exporter/sinks/clickhouse/sink.js';
import { type EngineConnection, Store } from '../../exporter/store/store.js';
import { freePort } from '../support/ports.js';
import {
  accepted,
  eventually,
  pipelineEvents,
  scalar,
  silentLogger,
  simulatorItems,
  systemClock,
  tempDataDir,
  testSink,
} from './helpers.js';

/** A ClickHouse outage, and rows ClickHouse refuses: nothing is lost, nothing is dropped silently. */

const dataDir = tempDataDir('outage');
const now = Math.floor(Date.now() / 1000);

/** The link between the client and the engine: it can be cut, or made to refuse certain rows. */
const link = { down: false, refuseRowsContaining: null as string | null };

function failingLink(connection: EngineConnection): EngineConnection {
  const refused = () =>
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' });
  return new Proxy(connection, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (!['insert', 'query', 'command', 'exec'].includes(String(property))) return value.bind(target);
      return async (params: { values?: unknown }) => {
        if (link.down) throw refused();
        if (property === 'insert' && link.refuseRowsContaining !== null) {
          const body = typeof params.values === 'string' ? params.values : JSON.stringify(params.values);
          if (body.includes(link.refuseRowsContaining)) {
            throw Object.assign(new Error('Code: 27. DB::Exception: Cannot parse input: expected ,'), {
              code: '27',
            });
          }
        }
        return value.call(target, params);
      };
    },
  });
}

let store: Store;
let events: DomainEvent[];

beforeAll(async () => {
  store = await Store.open(
    { kind: 'embedded', path: `${dataDir}/clickhouse` },
    { create: true, wrapConnection: failingLink },
  );
  await store.migrate();
  events = await pipelineEvents(
    simulatorItems(600).map(({ line }) => ({ line, relay: 'wss://r', receivedAt: now })),
  );
}, 60_000);
afterAll(async () => {
  await store?.close();
});

async function reset(): Promise<void> {
  for (const table of ['events', 'relay_sightings', 'dvm_announcements', 'events_daily', 'dvm_daily']) {
    await store.client.command({ query: `TRUNCATE TABLE ${table}` });
  }
}

async function metric(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const found = (await registry.getMetricsAsJSON()).find((m) => m.name === name) as
    | { values: { labels: Record<string, string | number>; value: number }[] }
    | undefined;
  return (found?.values ?? [])
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}

describe('micro-batches', () => {
  it('are written when enough rows gather, and when the oldest has waited long enough', async () => {
    await reset();
    const registry = new Registry();
    const sizeBound = testSink(store, { batchMaxRows: 10, flushIntervalMs: 3_600_000 }, registry);
    const rowsOf = events
      .filter((e) => e.type === 'event_accepted' && e.event.role !== 'announcement')
      .slice(0, 12);
    for (const event of rowsOf) sizeBound.handle(event);
    // 12 events make 24 rows (event + sighting): two full batches of 10 go out, 4 rows wait.
    const written = async () =>
      (await scalar(store, 'SELECT count() FROM events')) +
      (await scalar(store, 'SELECT count() FROM relay_sightings'));
    await eventually(async () => expect(await written()).toBe(20));
    expect(await metric(registry, 'dvm_exporter_clickhouse_buffered_rows')).toBe(4);
    await reset();
    const timeBound = testSink(store, { batchMaxRows: 1_000, flushIntervalMs: 100 });
    for (const event of rowsOf) timeBound.handle(event);
    // No flush() and no full batch: the interval alone writes them.
    await eventually(async () =>
      expect(await scalar(store, 'SELECT count() FROM events')).toBe(rowsOf.length),
    );
    // (Closing a sink would close the store these tests share.)
    await sizeBound.flush();
  });
});

describe('an outage of the store', () => {
  it('holds rows, pushes back on ingestion, and writes everything once the store is back', async () => {
    await reset();
    const registry = new Registry();
    const sink: ClickHouseSink = testSink(store, { batchMaxRows: 50, maxQueuedRows: 400 }, registry);
    const half = Math.floor(events.length / 2);
    for (const event of events.slice(0, half)) sink.handle(event);
    await sink.flush();
    expect(sink.healthy()).toBe(true);

    link.down = true;
    let index = half;
    let waiting: Promise<void> | null = null;
    while (index < events.length && !waiting) {
      sink.handle(events[index++] as DomainEvent);
      waiting = sink.capacity();
    }
    // Backpressure engaged before the input ran out: ingestion would stop reading here.
    expect(waiting).not.toBeNull();
    let flushed = false;
    const flush = sink.flush().then(() => {
      flushed = true;
    });
    await eventually(async () => {
      expect(sink.healthy()).toBe(false);
      expect(await metric(registry, 'dvm_exporter_clickhouse_insert_errors_total')).toBeGreaterThanOrEqual(3);
    });
    expect(await metric(registry, 'dvm_exporter_clickhouse_up')).toBe(0);
    expect(flushed).toBe(false);

    link.down = false;
    await waiting;
    await flush;
    for (const event of events.slice(index)) sink.handle(event);
    await sink.flush();
    expect(sink.healthy()).toBe(true);
    expect(await metric(registry, 'dvm_exporter_clickhouse_up')).toBe(1);
    const stored = accepted(events).filter((e) => e.event.event.created_at >= 1_577_836_800);
    expect(await scalar(store, 'SELECT count() FROM events FINAL')).toBe(stored.length);
    expect(await scalar(store, 'SELECT uniqExact(id) FROM relay_sightings')).toBe(stored.length);
    expect(await metric(registry, 'dvm_exporter_clickhouse_rows_dropped_total')).toBe(0);
  });

  it('isolates a row ClickHouse refuses, drops and counts only that one', async () => {
    await reset();
    const registry = new Registry();
    const sink = testSink(store, { batchMaxRows: 64 }, registry);
    const victim = accepted(events)[17]?.event.event.id as string;
    link.refuseRowsContaining = victim;
    try {
      for (const event of events) sink.handle(event);
      await sink.flush();
    } finally {
      link.refuseRowsContaining = null;
    }
    const total = accepted(events).length;
    expect(await scalar(store, 'SELECT count() FROM events FINAL')).toBe(total - 1);
    expect(await scalar(store, `SELECT count() FROM events WHERE id = '${victim}'`)).toBe(0);
    expect(
      await metric(registry, 'dvm_exporter_clickhouse_rows_dropped_total', {
        table: 'events',
        reason: 'refused_unparsable',
      }),
    ).toBe(1);
    // Its sighting names the same id and is refused alike: one row dropped per table, nothing else.
    expect(
      await metric(registry, 'dvm_exporter_clickhouse_rows_dropped_total', { table: 'relay_sightings' }),
    ).toBe(1);
  });
});

describe('a ClickHouse server that does not answer', () => {
  it('does not stop the exporter from starting; the schema waits for the first write', async () => {
    const url = `http://default:secret@127.0.0.1:${await freePort()}/dvm`;
    const config = loadConfig({
      env: {},
      overrides: { dataDir: tempDataDir('outage-server'), clickhouse: { url } },
    });
    const assembly = await assemble({
      config,
      mode: 'run',
      logger: silentLogger,
      verifier: await createVerifier('wasm'),
      clock: new EventTimeClock(),
      wallClock: systemClock,
      sinks: [clickhouseSinkFactory],
    });
    const [sink] = assembly.sinks;
    expect(sink?.name).toBe('clickhouse');
    // Down, and saying why; the schema is retried in the background.
    expect(sink?.healthy?.()).toBe(false);
    expect(sink?.problem?.()).toMatch(
      /^store unreachable for \d+ s \(.*ECONNREFUSED.*\), retrying; 0 rows queued$/,
    );
    await assembly.close();
  });

  it('retries, reports itself down, and at shutdown counts what it could not write', async () => {
    const server = await Store.open({ kind: 'server', url: `http://127.0.0.1:${await freePort()}/dvm` });
    const registry = new Registry();
    const sink = testSink(server, { closeTimeoutMs: 300 }, registry);
    const some = events.slice(0, 20);
    for (const event of some) sink.handle(event);
    await eventually(async () => {
      expect(sink.healthy()).toBe(false);
      expect(await metric(registry, 'dvm_exporter_clickhouse_insert_errors_total')).toBeGreaterThan(1);
    });
    await sink.close();
    const rowsQueued = accepted(some).length * 2 + some.filter((e) => e.type === 'event_sighted').length;
    const counted = rowsQueued + accepted(some).filter((e) => e.event.role === 'announcement').length;
    expect(await metric(registry, 'dvm_exporter_clickhouse_rows_dropped_total', { reason: 'shutdown' })).toBe(
      counted,
    );
    // Handed over after the close: never written, and counted too.
    sink.handle({ type: 'event_sighted', at: 0, id: 'late', relay: 'wss://r', receivedAt: now });
    expect(await metric(registry, 'dvm_exporter_clickhouse_rows_dropped_total', { reason: 'shutdown' })).toBe(
      counted + 1,
    );
  });
});
