import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { type RunningExporter, startExporter } from '../../../exporter/app/run-assembly.js';
import { SINK_FACTORIES } from '../../../exporter/app/sink-factories.js';
import { createLogger, type Logger } from '../../../exporter/base/logger.js';
import { type Config, type ConfigInput, configSchema } from '../../../exporter/config/schema.js';
import type { DomainEvent } from '../../../exporter/jobs/domain-events.js';
import type { NostrEvent } from '../../../exporter/model/nostr-event.js';
import type { Sink, SinkFactory } from '../../../exporter/pipeline/sink.js';
import { simulate } from '../../../exporter/simulate/index.js';
import type { IngestTuning } from '../../../exporter/sources/relay/ingest.js';
import { type MemoryRelay, startMemoryRelay } from '../../support/memory-relay.js';
import { startTestRelay, type TestRelay, type TestRelayOptions } from '../../support/relay.js';

/** Polls `check` until it returns a truthy value or the deadline passes (never a fixed sleep). */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 15_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last as NonNullable<T>;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)?.slice(0, 300)})`,
  );
}

/** Valid simulated DVM traffic (requests, feedback, results, announcements, zaps...), created recently. */
export function simulatedEvents(
  seed: number,
  count: number,
  start = Math.floor(Date.now() / 1000) - 400,
): NostrEvent[] {
  const key = `${seed}/${count}/${start}`;
  const cached = simulationCache.get(key);
  if (cached) return cached;
  const out: NostrEvent[] = [];
  const seen = new Set<string>();
  for (const item of simulate({
    seed,
    start,
    durationSeconds: 360,
    requestsPerMinute: 60,
    malformedShare: 0,
    duplicateShare: 0,
  })) {
    if (item.expect.outcome !== 'accepted') continue;
    const event = item.event as NostrEvent;
    if (seen.has(event.id)) continue;
    seen.add(event.id);
    out.push(event);
    if (out.length >= count) break;
  }
  simulationCache.set(key, out);
  return out;
}

const simulationCache = new Map<string, NostrEvent[]>();

/** Publishes events to a relay and waits for its OK on each; returns the ids it stored. */
export async function publish(url: string, events: readonly unknown[]): Promise<string[]> {
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const pending = new Set(events.map((e) => (e as { id: string }).id));
  const stored: string[] = [];
  const done = new Promise<void>((resolve) => {
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as unknown[];
      if (msg[0] !== 'OK' || !pending.delete(msg[1] as string)) return;
      if (msg[2] === true) stored.push(msg[1] as string);
      if (pending.size === 0) resolve();
    });
  });
  for (const event of events) ws.send(JSON.stringify(['EVENT', event]));
  if (pending.size > 0) await done;
  ws.close();
  return stored;
}

export interface Recorder {
  /** Every event_accepted, in order: id and the relay that delivered it first. */
  readonly accepted: { id: string; relay: string | null }[];
  /** Ids made durable by a flush (what a store would hold). */
  readonly flushed: string[];
  flushes: number;
  /** Makes capacity() wait until release() (a saturated sink), once `after` more events were accepted. */
  block(after?: number): void;
  release(): void;
  readonly factory: SinkFactory;
}

/** A sink that records what it is given and, like a store, makes it durable only on flush. */
export function recorder(): Recorder {
  let pending: string[] = [];
  let gate: { promise: Promise<void>; open: () => void; from: number } | null = null;
  const rec: Recorder = {
    accepted: [],
    flushed: [],
    flushes: 0,
    block(after = 0) {
      let open = () => {};
      const promise = new Promise<void>((resolve) => {
        open = resolve;
      });
      gate = { promise, open, from: rec.accepted.length + after };
    },
    release() {
      gate?.open();
      gate = null;
    },
    factory: async () => sink,
  };
  const sink: Sink = {
    name: 'recorder',
    handle(event: DomainEvent) {
      if (event.type !== 'event_accepted') return;
      rec.accepted.push({ id: event.event.event.id, relay: event.relay });
      pending.push(event.event.event.id);
    },
    capacity: () => (gate && rec.accepted.length >= gate.from ? gate.promise : null),
    async flush() {
      rec.flushes += 1;
      rec.flushed.push(...pending);
      pending = [];
    },
    async close() {
      await sink.flush();
    },
  };
  return rec;
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `dvm-exporter-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Config for a test exporter: fast reconnects and liveness, no store, HTTP on a free port. */
export function testConfig(
  relays: readonly string[],
  dataDir: string,
  ingest: Partial<ConfigInput['ingest']> = {},
): Config {
  return configSchema.parse({
    listen: '127.0.0.1:0',
    dataDir,
    logLevel: 'silent',
    ingest: {
      relays: [...relays],
      reconnectMinSeconds: 0.05,
      reconnectMaxSeconds: 0.5,
      pingIntervalSeconds: 1,
      deadSocketSeconds: 5,
      ...ingest,
    },
    clickhouse: { enabled: false },
  });
}

export const TEST_TUNING: Partial<IngestTuning> = {
  checkpointIntervalMs: 200,
  zapRefreshMs: 200,
  connectTimeoutMs: 2_000,
  eoseTimeoutMs: 5_000,
  nip11TimeoutMs: 500,
  stableAfterMs: 5_000,
};

export function quietLogger(): Logger {
  return createLogger(process.env.TEST_LOG_LEVEL ?? 'silent', false);
}

/** Starts relays and exporters for one test and stops them all afterwards (call `cleanup` in afterEach). */
export function testBed() {
  const cleanups: (() => Promise<void> | void)[] = [];
  return {
    defer(cleanup: () => Promise<void> | void): void {
      cleanups.push(cleanup);
    },
    async relay(options?: TestRelayOptions): Promise<TestRelay> {
      const r = await startTestRelay(options);
      cleanups.push(() => r.stop());
      return r;
    },
    /** A fast in-memory NIP-01 relay, for tests that need no relay rules (see memory-relay.ts). */
    async memoryRelay(): Promise<MemoryRelay> {
      const r = await startMemoryRelay();
      cleanups.push(() => r.stop());
      return r;
    },
    dataDir(): string {
      const dir = tempDir('ingest');
      cleanups.push(() => dir.remove());
      return dir.path;
    },
    async exporter(
      relays: readonly { readonly url: string }[],
      rec: Recorder,
      options: {
        dataDir?: string;
        ingest?: Partial<ConfigInput['ingest']>;
        tuning?: Partial<IngestTuning>;
      } = {},
    ): Promise<RunningExporter> {
      const dataDir = options.dataDir ?? this.dataDir();
      const running = await startExporter(
        testConfig(
          relays.map((r) => r.url),
          dataDir,
          options.ingest,
        ),
        {
          logger: quietLogger(),
          sinks: [rec.factory],
          tuning: { ...TEST_TUNING, ...options.tuning },
        },
      );
      cleanups.push(() => running.stop());
      return running;
    },
    /**
     * `run` as it starts with the store on (embedded in `dataDir`, or the server `clickhouse.url` names)
     * and every sink it ships, plus the recorder's when given; stopped at cleanup if the test did not.
     */
    async storeExporter(
      relays: readonly { readonly url: string }[],
      options: { dataDir?: string; clickhouse?: Partial<Config['clickhouse']>; recorder?: Recorder } = {},
    ): Promise<RunningExporter> {
      const base = testConfig(
        relays.map((r) => r.url),
        options.dataDir ?? this.dataDir(),
      );
      const running = await startExporter(
        { ...base, clickhouse: { ...base.clickhouse, enabled: true, ...options.clickhouse } },
        {
          logger: quietLogger(),
          tuning: TEST_TUNING,
          sinks: options.recorder ? [...SINK_FACTORIES, options.recorder.factory] : SINK_FACTORIES,
        },
      );
      cleanups.push(() => running.stop());
      return running;
    },
    async cleanup(): Promise<void> {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    },
  };
}

/** Whether every id was accepted (checked against the recorder). */
export function acceptedAll(rec: Recorder, ids: Iterable<string>): boolean {
  const got = new Set(rec.accepted.map((x) => x.id));
  for (const id of ids) if (!got.has(id)) return false;
  return true;
}

/** Ids a relay stored: what a complete ingestion must end up with. */
export function storedIds(...relays: TestRelay[]): Set<string> {
  return new Set(relays.flatMap((r) => r.storedEvents().map((e) => e.id)));
}

/** Ids of published events that the relay forwards live (it applies kind 5 deletions instead). */
export function forwardedIds(events: readonly NostrEvent[], stored: readonly string[]): string[] {
  const ok = new Set(stored);
  return events.filter((e) => e.kind !== 5 && ok.has(e.id)).map((e) => e.id);
}
