import { createHash } from 'node:crypto';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { ManualClock } from '../../exporter/base/clock.js';
import { createLogger } from '../../exporter/base/logger.js';
import type { DomainEvent } from '../../exporter/jobs/domain-events.js';
import { DEFAULT_JOB_INDEX_OPTIONS, JobIndex, type JobIndexOptions } from '../../exporter/jobs/job-index.js';
import type { DvmEvent } from '../../exporter/model/dvm-event.js';
import { type BatchTuning, TraceSink } from '../../exporter/sinks/traces/trace-sink.js';
import { T0 } from '../support/dvm-events.js';
import { OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';

/** Fast batches for tests: export as soon as a few spans are queued or 20 ms pass. */
export const TEST_BATCH: Partial<BatchTuning> = { scheduledDelayMillis: 20, exportTimeoutMillis: 2_000 };

export function traceSink(
  url: string,
  options: { registry?: Registry; batch?: Partial<BatchTuning>; backpressure?: boolean } = {},
) {
  const registry = options.registry ?? new Registry();
  const sink = new TraceSink({
    target: { url, source: 'tracing.otlpEndpoint', headers: {}, timeoutMillis: null },
    serviceName: 'dvm-exporter-test',
    registry,
    logger: createLogger('silent', false),
    rememberJobs: 1_000,
    batch: { ...TEST_BATCH, ...options.batch },
    backpressure: options.backpressure ?? false,
  });
  return { sink, registry };
}

/** The first 16 hex digits of sha256: how span ids are derived from job and DVM ids. */
export const sha16 = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

/**
 * A real OTLP receiver for the calling test file: started before its tests, emptied before each one,
 * closed after them. Returns an accessor because the receiver only exists once the file's hooks ran.
 */
export function fileReceiver(): () => OtlpReceiver {
  let receiver: OtlpReceiver | undefined;
  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
  });
  afterAll(async () => {
    await receiver?.close();
  });
  beforeEach(() => {
    receiver?.clear();
  });
  return () => {
    if (!receiver) throw new Error('the OTLP receiver is not started yet');
    return receiver;
  };
}

/** Runs `script` against a real index and a real trace sink, and returns what the receiver decoded. */
export async function traced(
  receiver: OtlpReceiver,
  script: (driver: IndexDriver) => void,
): Promise<ReceivedSpan[]> {
  const { sink } = traceSink(receiver.url);
  const driver = new IndexDriver((event) => sink.handle(event));
  script(driver);
  await sink.flush();
  await sink.close();
  expect(receiver.problems).toEqual([]);
  return receiver.spans();
}

/** A real job index on a manual clock whose domain events go straight (live) to the sink. */
export class IndexDriver {
  readonly clock = new ManualClock(T0);
  readonly index: JobIndex;
  readonly published: DomainEvent[] = [];

  constructor(
    private readonly handle: (event: DomainEvent) => void,
    options: Partial<JobIndexOptions> = {},
  ) {
    this.index = new JobIndex({ ...DEFAULT_JOB_INDEX_OPTIONS, ...options }, this.clock, (event) => {
      this.published.push(event);
      this.handle(event);
    });
  }

  /** Applies events at clock time `T0 + offset`. */
  at(offset: number, ...events: DvmEvent[]): this {
    this.clock.set(T0 + offset);
    for (const event of events) this.index.apply(event);
    this.index.tick();
    return this;
  }

  drain(): this {
    this.index.drain();
    return this;
  }
}

export async function counterValue(registry: Registry, name: string, labels: Record<string, string> = {}) {
  const metric = await registry.getSingleMetric(name)?.get();
  const sample = metric?.values.find((v) =>
    Object.entries(labels).every(([k, value]) => v.labels[k] === value),
  );
  return sample?.value ?? 0;
}

/** The span tree as `parent name > child name` lines, children sorted, for whole-tree assertions. */
export function tree(spans: readonly ReceivedSpan[]): string[] {
  const byId = new Map(spans.map((s) => [`${s.traceId}/${s.spanId}`, s]));
  const path = (span: ReceivedSpan): string => {
    const parent = byId.get(`${span.traceId}/${span.parentSpanId}`);
    return parent ? `${path(parent)} > ${span.name}` : span.name;
  };
  return spans.map(path).sort();
}

export function byName(spans: readonly ReceivedSpan[], name: string): ReceivedSpan[] {
  return spans.filter((s) => s.name === name);
}

export function only(spans: readonly ReceivedSpan[], predicate: (s: ReceivedSpan) => boolean): ReceivedSpan {
  const found = spans.filter(predicate);
  if (found.length !== 1) throw new Error(`expected exactly one matching span, found ${found.length}`);
  return found[0]!;
}
