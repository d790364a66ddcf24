import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventAccepted } from '../../exporter/jobs/domain-events.js';
import { StoreMetrics } from '../../exporter/sinks/clickhouse/metrics.js';
import { eventRow } from '../../exporter/sinks/clickhouse/rows.js';
import { BatchWriter, DEFAULT_WRITER_TIMING } from '../../exporter/sinks/clickhouse/writer.js';
import { Store } from '../../exporter/store/store.js';
import {
  HOSTILE_STRINGS,
  hostileAnnouncement,
  hostileFeedback,
  hostileRequest,
} from '../support/hostile-events.js';
import { accepted, pipelineEvents, rows, scalar, silentLogger, tempDataDir, testSink } from './helpers.js';

/**
 * Every class of hostile value a validly signed event can carry, on the real engine (chdb): strings
 * (lone surrogates, NUL, controls, bidi, escapes, huge), numbers (huge, negative, fractional, NaN-ish),
 * shapes (many, empty and long tags) and sizes. Each row is stored, or refused alone and counted.
 */

const dataDir = tempDataDir('hostile');
const now = Math.floor(Date.now() / 1000) - 60;
let store: Store;

beforeAll(async () => {
  store = await Store.open({ kind: 'embedded', path: `${dataDir}/clickhouse` }, { create: true });
  await store.migrate();
}, 60_000);
afterAll(async () => {
  await store?.close();
});

async function reset(): Promise<void> {
  for (const table of ['events', 'relay_sightings', 'dvm_announcements', 'events_daily', 'dvm_daily']) {
    await store.client.command({ query: `TRUNCATE TABLE ${table}` });
  }
}

async function counter(registry: Registry, name: string, labels: Record<string, string> = {}) {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name) as
    | { values: { labels: Record<string, string | number>; value: number }[] }
    | undefined;
  return (metric?.values ?? [])
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}

const lines = (events: readonly object[]) =>
  events.map((event) => ({ line: JSON.stringify(event), relay: 'wss://r', receivedAt: now }));

describe('rows the engine itself refuses', () => {
  it('are isolated, dropped and counted by cause; every other row of the batch is stored', async () => {
    await reset();
    // Rows built as the sink would, then spoiled in ways only a bypassed encoder or a bug could: the
    // writer must cope with the engine's real refusals (error codes from chdb, not a mock).
    const good = accepted(
      await pipelineEvents(lines(Array.from({ length: 60 }, (_, i) => hostileRequest(`ok ${i}`, now - i)))),
    );
    const base = eventRow((good[0] as EventAccepted).event, 'wss://r', now);
    const surrogate = { ...base, id: 'bad-surrogate', content: '\ud800' };
    const negative = { ...base, id: 'bad-negative', kind: -1 };
    const fraction = { ...base, id: 'bad-fraction', bid_msat: 1.5 };
    const exponent = { ...base, id: 'bad-exponent', amount_msat: 1e30 };
    const goodRows = good.map((e) => eventRow(e.event, 'wss://r', now));
    const batch = [
      ...goodRows.slice(0, 20),
      surrogate,
      ...goodRows.slice(20, 40),
      negative,
      fraction,
      ...goodRows.slice(40),
      exponent,
    ];
    const registry = new Registry();
    const metrics = new StoreMetrics(registry, {
      queuedRows: () => 0,
      queuedBytes: () => 0,
      healthy: () => true,
      saturated: () => false,
    });
    let inserts = 0;
    const writer = new BatchWriter(
      async (table, values) => {
        inserts++;
        const columns = Object.keys(values[0] ?? {});
        await store.client.insert({
          table,
          columns: columns as [string, ...string[]],
          values: values.map((row) => columns.map((c) => (row as Record<string, unknown>)[c])),
          format: 'JSONCompactEachRow',
        });
      },
      {
        ...DEFAULT_WRITER_TIMING,
        batchMaxRows: 1000,
        flushIntervalMs: 10,
        maxQueuedRows: 10_000,
        retryInitialMs: 10,
        retryMaxMs: 50,
      },
      metrics,
      silentLogger,
    );
    for (const row of batch) writer.push('events', row);
    await writer.flush();
    expect(await scalar(store, 'SELECT count() FROM events FINAL')).toBe(goodRows.length);
    expect(await scalar(store, "SELECT count() FROM events WHERE id LIKE 'bad-%'")).toBe(0);
    const dropped = (reason: string) =>
      counter(registry, 'dvm_exporter_clickhouse_rows_dropped_total', { table: 'events', reason });
    // Codes as chdb reports them: 25 CANNOT_PARSE_ESCAPE_SEQUENCE, 72 CANNOT_PARSE_NUMBER, 27 CANNOT_PARSE_INPUT_ASSERTION_FAILED.
    expect(await dropped('refused_bad_escape')).toBe(1);
    expect(await dropped('refused_unparsable')).toBe(3);
    expect(await counter(registry, 'dvm_exporter_clickhouse_rows_inserted_total', { table: 'events' })).toBe(
      goodRows.length,
    );
    // Halving finds 4 bad rows in 64 with a few dozen inserts, not one per row.
    expect(inserts).toBeLessThan(64);
    await writer.close();
  });
});

describe('hostile values in signed events', () => {
  it('are stored: strings exactly (lone surrogates as U+FFFD, counted), numbers in range or null', async () => {
    await reset();
    const events = Object.entries(HOSTILE_STRINGS).flatMap(([name, text], i) => {
      const request = hostileRequest(text, now - i, [['t', name]]);
      return [
        request,
        hostileFeedback(request.id, text, '9007199254740991', now - i),
        hostileAnnouncement(text, now - i),
      ];
    });
    const domain = await pipelineEvents(lines(events));
    const stored = accepted(domain);
    expect(stored.length).toBe(events.length);
    const registry = new Registry();
    const sink = testSink(store, {}, registry);
    for (const event of domain) sink.handle(event);
    await sink.flush();
    expect(await scalar(store, 'SELECT count() FROM events FINAL')).toBe(events.length);
    const got = new Map(
      (
        await rows<{ id: string; content: string; tags: string[][] }>(
          store,
          'SELECT id, content, tags FROM events FINAL',
        )
      ).map((r) => [r.id, r]),
    );
    let altered = 0;
    for (const event of events) {
      const row = got.get(event.id);
      // The oracle: what a UTF-8 column can hold of a JS string (the WHATWG encoder's rule).
      const utf8 = (s: string) => new TextDecoder().decode(new TextEncoder().encode(s));
      expect(row?.content).toBe(utf8(event.content));
      expect(row?.tags).toEqual(event.tags.map((tag) => tag.map(utf8)));
      const strings = [event.content, ...event.tags.flat()];
      if (strings.some((text) => utf8(text) !== text)) altered++;
    }
    expect(altered).toBeGreaterThan(0);
    expect(
      await counter(registry, 'dvm_exporter_clickhouse_rows_altered_total', {
        table: 'events',
        reason: 'lone_surrogate',
      }),
    ).toBe(altered);
    // The implausible amount is kept as written, never as a number.
    expect(
      await scalar(
        store,
        "SELECT countIf(amount_msat IS NULL AND has(amount_issues, 'implausible_amount')) FROM events FINAL WHERE role = 'feedback'",
      ),
    ).toBe(Object.keys(HOSTILE_STRINGS).length);
    expect(await scalar(store, 'SELECT count() FROM dvm_announcements FINAL')).toBe(
      Object.keys(HOSTILE_STRINGS).length,
    );
    expect(await counter(registry, 'dvm_exporter_clickhouse_rows_dropped_total')).toBe(0);
  });

  it('many, empty and long tags, the largest event allowed, and numbers past the columns', async () => {
    await reset();
    const many = hostileRequest(
      'many',
      now,
      Array.from({ length: 3000 }, (_, i) => ['t', String(i)]),
    );
    const long = hostileRequest('long', now, [Array.from({ length: 2000 }, (_, i) => `v${i}`), [], ['']]);
    const bid = hostileRequest('bid', now, [['bid', '18446744073709551616']]);
    const { signEvent } = await import('../../exporter/simulate/signer.js');
    const { HOSTILE_CUSTOMER } = await import('../support/hostile-events.js');
    const recommendation = signEvent(
      {
        kind: 31989,
        created_at: now,
        tags: [
          ['d', '99999999'],
          ['a', `31990:${'0'.repeat(64)}:x`],
        ],
        content: '',
      },
      HOSTILE_CUSTOMER,
    );
    // The largest event the pipeline accepts (128 KiB): one row of about that size.
    const big = signEvent(
      { kind: 5050, created_at: now, tags: [['i', 'x', 'text']], content: 'x'.repeat(130_000) },
      HOSTILE_CUSTOMER,
    );
    const maxKind = signEvent({ kind: 65535, created_at: now, tags: [], content: '' }, HOSTILE_CUSTOMER);
    const events = [many, long, big, bid, recommendation];
    const domain = await pipelineEvents(lines([...events, maxKind]));
    // The 65535 event is not a DVM event: the pipeline leaves it out before any sink.
    const storedEvents = accepted(domain);
    expect(storedEvents.length).toBe(events.length);
    // Batches bounded by bytes: the big rows go out in several inserts, all stored.
    const registry = new Registry();
    const sink = testSink(store, { batchMaxBytes: 50_000 }, registry);
    for (const event of domain) sink.handle(event);
    await sink.flush();
    expect(await scalar(store, 'SELECT count() FROM events FINAL')).toBe(events.length);
    expect(await scalar(store, `SELECT length(tags) FROM events FINAL WHERE id = '${many.id}'`)).toBe(
      many.tags.length,
    );
    expect(await scalar(store, `SELECT length(tags[4]) FROM events FINAL WHERE id = '${long.id}'`)).toBe(
      2000,
    );
    expect(await scalar(store, `SELECT ifNull(bid_msat, 0) FROM events FINAL WHERE id = '${bid.id}'`)).toBe(
      0,
    );
    expect(await scalar(store, `SELECT job_kind FROM events FINAL WHERE id = '${recommendation.id}'`)).toBe(
      0,
    );
    const histogram = (await registry.getMetricsAsJSON()).find(
      (m) => m.name === 'dvm_exporter_clickhouse_insert_duration_seconds',
    ) as { values: { labels: Record<string, string>; metricName?: string; value: number }[] };
    const inserts = histogram.values.find(
      (v) => v.metricName?.endsWith('_count') && v.labels.table === 'events',
    );
    expect(inserts?.value).toBeGreaterThan(1);
  });
});
