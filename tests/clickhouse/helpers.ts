import { pino } from 'pino';
import { Registry } from 'prom-client';
import { systemClock } from '../../exporter/base/clock.js';
import { EventTimeClock } from '../../exporter/base/event-time-clock.js';
import type { DomainEvent, EventAccepted } from '../../exporter/jobs/domain-events.js';
import { createVerifier } from '../../exporter/model/verify.js';
import { DEFAULT_PIPELINE_OPTIONS, Pipeline } from '../../exporter/pipeline/pipeline.js';
import { DEFAULT_SIMULATION, type SimulatedItem, simulate } from '../../exporter/simulate/index.js';
import { ClickHouseSink, type ClickHouseSinkOptions } from '../../exporter/sinks/clickhouse/sink.js';
import type { SqlAnswer } from '../../exporter/sql/readonly-sql.js';
import type { Store } from '../../exporter/store/store.js';
import { tempDir } from '../support/temp.js';

export const silentLogger = pino({ level: 'silent' });

/** chdb binds one data directory per process: each test file makes one and uses it throughout. */
export function tempDataDir(label: string): string {
  return tempDir(`dvm-exporter-${label}-`);
}

/** Half an hour of simulator traffic: every role, chains, payments, cancellations, failing DVMs. */
export function simulatorItems(durationSeconds = 1800, seed = 1): SimulatedItem[] {
  return [...simulate({ ...DEFAULT_SIMULATION, seed, durationSeconds, requestsPerMinute: 20 })];
}

/** The store-relevant domain events the real pipeline makes of the given lines, in order. */
export async function pipelineEvents(
  lines: readonly { readonly line: string; readonly relay: string | null; readonly receivedAt?: number }[],
): Promise<DomainEvent[]> {
  const pipeline = new Pipeline(
    { verifier: await createVerifier('wasm'), clock: new EventTimeClock() },
    DEFAULT_PIPELINE_OPTIONS,
  );
  const out: DomainEvent[] = [];
  pipeline.subscribe((event) => {
    if (event.type === 'event_accepted' || event.type === 'event_sighted') out.push(event);
  });
  for (const { line, relay, receivedAt } of lines) {
    pipeline.ingestText(line, receivedAt === undefined ? { relay } : { relay, receivedAt });
  }
  return out;
}

export function accepted(events: readonly DomainEvent[]): EventAccepted[] {
  return events.filter((e): e is EventAccepted => e.type === 'event_accepted');
}

export const TEST_SINK_OPTIONS: ClickHouseSinkOptions = {
  batchMaxRows: 500,
  flushIntervalMs: 50,
  maxQueuedRows: 5_000,
  batchMaxBytes: 16 * 1024 * 1024,
  maxQueuedBytes: 256 * 1024 * 1024,
  closeTimeoutMs: 5_000,
  retryInitialMs: 20,
  retryMaxMs: 200,
  asyncInsert: false,
};

export function testSink(
  store: Store,
  options: Partial<ClickHouseSinkOptions> = {},
  registry = new Registry(),
) {
  return new ClickHouseSink(
    store,
    { ...TEST_SINK_OPTIONS, ...options },
    { registry, logger: silentLogger, wallClock: systemClock },
  );
}

/** Feeds events to a sink, honouring its backpressure as ingestion does. */
export async function feed(sink: ClickHouseSink, events: readonly DomainEvent[]): Promise<void> {
  for (const event of events) {
    sink.handle(event);
    const wait = sink.capacity();
    if (wait) await wait;
  }
}

/** Rows as objects; 64-bit integers as numbers. */
export async function rows<T = Record<string, unknown>>(store: Store, sql: string): Promise<T[]> {
  const result = await store.client.query({
    query: sql,
    format: 'JSONEachRow',
    clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
  });
  return result.json<T>();
}

export async function scalar(store: Store, sql: string): Promise<number> {
  const [row] = await rows<Record<string, unknown>>(store, sql);
  return Number(Object.values(row ?? {})[0]);
}

/** An answer as objects, for comparing with expectations. */
export function objects(answer: SqlAnswer): Record<string, unknown>[] {
  return answer.rows.map((row) => Object.fromEntries(answer.columns.map((c, i) => [c.name, row[i]])));
}

/** Deterministic Fisher-Yates shuffle. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Polls until `check` passes or the deadline passes (then throws the last failure). */
export async function eventually(check: () => Promise<void> | void, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

export { systemClock };
