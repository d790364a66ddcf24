import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { startExporter } from '../exporter/app/run-assembly.js';
import { SINK_FACTORIES } from '../exporter/app/sink-factories.js';
import { createLogger } from '../exporter/base/logger.js';
import { configSchema } from '../exporter/config/schema.js';
import type { NostrEvent } from '../exporter/model/nostr-event.js';
import type { SinkFactory } from '../exporter/pipeline/sink.js';
import { simulate } from '../exporter/simulate/index.js';
import { startTestRelay } from '../tests/support/relay.js';
import { machineLine } from './machine.js';

/**
 * Time to visibility: from the moment an event is sent to a local relay to the moment the exporter's
 * pipeline has accepted it (domain event handed to the sinks), at a steady rate and at the highest rate
 * the relay sustains. The relay runs in its own process (a real @nostr-relay with SQLite, verifying
 * signatures); publisher and exporter share this process, so both timestamps come from one clock.
 */
export interface VisibilityFigures {
  readonly label: string;
  readonly events: number;
  /** Events the relay stored per second (sent -> OK). */
  readonly publishedPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** The relay's part: sent -> OK received (the relay forwards an event when it stores it). */
  readonly relayP50Ms: number;
  readonly relayP99Ms: number;
  /** The exporter's part: OK received -> processed. */
  readonly exporterP50Ms: number;
  readonly exporterP99Ms: number;
  /** Events published but not seen within the wait. */
  readonly missing: number;
}

export interface TimeToVisibility {
  readonly machine: string;
  readonly steady: VisibilityFigures;
  readonly max: VisibilityFigures;
}

export interface VisibilityOptions {
  /** Events sent at the steady rate. */
  readonly steadyEvents?: number;
  readonly steadyRate?: number;
  /** Events sent as fast as the relay takes them. */
  readonly maxEvents?: number;
  /** Events in flight (sent, no OK yet) at full speed. */
  readonly window?: number;
}

const THIS_FILE = fileURLToPath(import.meta.url);

export async function runTimeToVisibility(options: VisibilityOptions = {}): Promise<TimeToVisibility> {
  const steadyEvents = options.steadyEvents ?? 1_000;
  const steadyRate = options.steadyRate ?? 100;
  const maxEvents = options.maxEvents ?? 4_000;
  const window = options.window ?? 256;
  const events = jobEvents(steadyEvents + maxEvents);
  const relay = await startRelayProcess();
  const dataDir = mkdtempSync(join(tmpdir(), 'dvm-exporter-ttv-'));
  const seenAt = new Map<string, number>();
  const probe: SinkFactory = async () => ({
    name: 'visibility-probe',
    handle(event) {
      if (event.type === 'event_accepted') seenAt.set(event.event.event.id, performance.now());
    },
    flush: async () => {},
    close: async () => {},
  });
  const config = configSchema.parse({
    listen: '127.0.0.1:0',
    dataDir,
    logLevel: 'warn',
    ingest: { relays: [relay.url] },
    clickhouse: { enabled: false },
  });
  const exporter = await startExporter(config, {
    logger: createLogger('warn', false),
    sinks: [...SINK_FACTORIES, probe],
  });
  try {
    await until(() => exporter.ingest.status().relays[0]?.caughtUp === true, 'exporter subscribed', 30_000);
    const publisher = await Publisher.open(relay.url);
    const steady = await measure('steady', events.slice(0, steadyEvents), seenAt, (batch) =>
      publisher.paced(batch, steadyRate),
    );
    const max = await measure('max', events.slice(steadyEvents), seenAt, (batch) =>
      publisher.flood(batch, window),
    );
    publisher.close();
    return { machine: machineLine(), steady: { ...steady, label: `steady ${steadyRate}/s` }, max };
  } finally {
    await exporter.stop();
    relay.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function measure(
  label: string,
  batch: readonly NostrEvent[],
  seenAt: ReadonlyMap<string, number>,
  send: (batch: readonly NostrEvent[]) => Promise<Sent>,
): Promise<VisibilityFigures> {
  const { sentAt, ackAt, seconds, stored } = await send(batch);
  const ids = [...stored];
  await until(() => ids.every((id) => seenAt.has(id)), `${label}: all events seen`, 30_000).catch(() => {});
  const seen = ids.filter((id) => seenAt.has(id));
  const total = percentiles(seen.map((id) => (seenAt.get(id) as number) - (sentAt.get(id) as number)));
  const relay = percentiles(seen.map((id) => (ackAt.get(id) as number) - (sentAt.get(id) as number)));
  const exporter = percentiles(seen.map((id) => (seenAt.get(id) as number) - (ackAt.get(id) as number)));
  return {
    label,
    events: ids.length,
    publishedPerSecond: Math.round(ids.length / seconds),
    p50Ms: total.p50,
    p99Ms: total.p99,
    maxMs: total.max,
    relayP50Ms: relay.p50,
    relayP99Ms: relay.p99,
    exporterP50Ms: exporter.p50,
    exporterP99Ms: exporter.p99,
    missing: ids.length - seen.length,
  };
}

function percentiles(values: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const pick = (q: number) =>
    round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN);
  return { p50: pick(0.5), p99: pick(0.99), max: round(sorted[sorted.length - 1] ?? Number.NaN) };
}

interface Sent {
  readonly sentAt: Map<string, number>;
  readonly ackAt: Map<string, number>;
  readonly stored: Set<string>;
  readonly seconds: number;
}

/** One publishing connection; remembers when each event was sent and acknowledged, and what was stored. */
class Publisher {
  private readonly acks = new Map<string, (ok: boolean) => void>();
  private readonly ackAt = new Map<string, number>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as unknown[];
      if (msg[0] !== 'OK') return;
      this.ackAt.set(msg[1] as string, performance.now());
      const ack = this.acks.get(msg[1] as string);
      this.acks.delete(msg[1] as string);
      ack?.(msg[2] === true);
    });
  }

  static async open(url: string): Promise<Publisher> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new Publisher(ws);
  }

  private send(event: NostrEvent, sentAt: Map<string, number>, stored: Set<string>): Promise<void> {
    return new Promise((resolve) => {
      this.acks.set(event.id, (ok) => {
        if (ok) stored.add(event.id);
        resolve();
      });
      sentAt.set(event.id, performance.now());
      this.ws.send(JSON.stringify(['EVENT', event]));
    });
  }

  /** Sends at a fixed rate, on schedule whether or not earlier events were acknowledged. */
  async paced(batch: readonly NostrEvent[], perSecond: number): Promise<Sent> {
    const sentAt = new Map<string, number>();
    const stored = new Set<string>();
    const pending: Promise<void>[] = [];
    const start = performance.now();
    for (let i = 0; i < batch.length; ) {
      const due = Math.min(batch.length, Math.floor(((performance.now() - start) / 1000) * perSecond) + 1);
      while (i < due) pending.push(this.send(batch[i++] as NostrEvent, sentAt, stored));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await Promise.all(pending);
    return { sentAt, ackAt: this.ackAt, stored, seconds: (performance.now() - start) / 1000 };
  }

  /** Sends as fast as the relay acknowledges, keeping `window` events in flight. */
  async flood(batch: readonly NostrEvent[], window: number): Promise<Sent> {
    const sentAt = new Map<string, number>();
    const stored = new Set<string>();
    const start = performance.now();
    let next = 0;
    const lane = async () => {
      while (next < batch.length) await this.send(batch[next++] as NostrEvent, sentAt, stored);
    };
    await Promise.all(Array.from({ length: window }, lane));
    return { sentAt, ackAt: this.ackAt, stored, seconds: (performance.now() - start) / 1000 };
  }

  close(): void {
    this.ws.close();
  }
}

/** Signed job requests, results and feedback created just now (kinds a relay forwards live, never replaces). */
function jobEvents(count: number): NostrEvent[] {
  const out: NostrEvent[] = [];
  const ids = new Set<string>();
  const start = Math.floor(Date.now() / 1000) - 120;
  for (const item of simulate({
    seed: 4242,
    start,
    durationSeconds: 600,
    requestsPerMinute: 1_200,
    malformedShare: 0,
    duplicateShare: 0,
  })) {
    if (item.expect.outcome !== 'accepted') continue;
    const event = item.event as NostrEvent;
    // The simulator repeats some events (late deliveries); each is published once here.
    if (event.kind < 5000 || event.kind > 7000 || ids.has(event.id)) continue;
    ids.add(event.id);
    out.push(event);
    if (out.length >= count) break;
  }
  return out;
}

interface RelayProcess {
  readonly url: string;
  stop(): void;
}

/** Starts the relay in a child process (this file with --relay), so it does not share our event loop. */
async function startRelayProcess(): Promise<RelayProcess> {
  const child: ChildProcess = spawn(process.execPath, [...process.execArgv, THIS_FILE, '--relay'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk) => {
      out += chunk;
      const match = /ws:\/\/\S+/.exec(out);
      if (match) resolve(match[0]);
    });
    child.once('exit', (code) => reject(new Error(`relay process exited with ${code}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

async function until(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function formatFigures(f: VisibilityFigures): string {
  const missing = f.missing > 0 ? `, ${f.missing} not seen` : '';
  return [
    `${f.label.padEnd(12)} ${String(f.events).padStart(5)} events at ${f.publishedPerSecond} events/s:`,
    `p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms, max ${f.maxMs} ms${missing}`,
    `(relay p50 ${f.relayP50Ms} / p99 ${f.relayP99Ms} ms; exporter p50 ${f.exporterP50Ms} / p99 ${f.exporterP99Ms} ms)`,
  ].join(' ');
}

if (process.argv[1] === THIS_FILE) {
  if (process.argv.includes('--relay')) {
    const relay = await startTestRelay();
    process.stdout.write(`${relay.url}\n`);
    process.on('SIGTERM', () => void relay.stop().then(() => process.exit(0)));
  } else {
    const result = await runTimeToVisibility();
    process.stdout.write(`time to visibility (publish -> processed), ${result.machine}\n`);
    process.stdout.write(`${formatFigures(result.steady)}\n${formatFigures(result.max)}\n`);
    process.exit(0);
  }
}
