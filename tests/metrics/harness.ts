import { Registry } from 'prom-client';
import { type Clock, ManualClock } from '../../exporter/base/clock.js';
import { EventTimeClock } from '../../exporter/base/event-time-clock.js';
import { DEFAULT_CONFIG } from '../../exporter/config/schema.js';
import { DEFAULT_JOB_INDEX_OPTIONS, JobIndex, type JobIndexOptions } from '../../exporter/jobs/job-index.js';
import type { DvmEvent } from '../../exporter/model/dvm-event.js';
import type { Mode } from '../../exporter/pipeline/sink.js';
import { type ExpositionFormat, render } from '../../exporter/sinks/metrics/exposition.js';
import { type MetricsOptions, MetricsSink } from '../../exporter/sinks/metrics/metrics-sink.js';
import { T0 } from '../support/dvm-events.js';

/** A registry that can hold exemplars, as the exporter's shared one. */
export function openMetricsRegistry(): Registry {
  const registry = new Registry();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE as typeof Registry.PROMETHEUS_CONTENT_TYPE);
  return registry;
}

export interface HarnessOptions {
  readonly mode?: Mode;
  readonly metrics?: Partial<MetricsOptions>;
  readonly jobs?: Partial<JobIndexOptions>;
  /** Wall-clock start (seconds). */
  readonly now?: number;
}

type Labels = Record<string, string>;

/**
 * The real job index feeding a metrics sink, as the pipeline does (an `event_accepted` per event, then
 * the index's own domain events), on a manual wall clock.
 */
export class MetricsHarness {
  readonly registry = openMetricsRegistry();
  readonly wall: ManualClock;
  readonly sink: MetricsSink;
  readonly index: JobIndex;
  private readonly jobClock: Clock;

  constructor(options: HarnessOptions = {}) {
    const mode = options.mode ?? 'run';
    this.wall = new ManualClock(options.now ?? T0);
    this.jobClock = mode === 'run' ? this.wall : new EventTimeClock();
    this.sink = new MetricsSink({
      registry: this.registry,
      mode,
      clock: this.jobClock,
      wallClock: this.wall,
      options: { ...DEFAULT_CONFIG.metrics, ...options.metrics },
      maxJobs: 1_000,
      onError: (error) => {
        throw error;
      },
    });
    this.index = new JobIndex({ ...DEFAULT_JOB_INDEX_OPTIONS, ...options.jobs }, this.jobClock, (event) =>
      this.sink.handle(event),
    );
  }

  feed(...events: DvmEvent[]): this {
    for (const event of events) {
      this.jobClock.observe?.(event.event.created_at);
      const now = this.jobClock.now();
      this.sink.handle({ type: 'event_accepted', at: now, event, relay: null, receivedAt: this.wall.now() });
      this.index.apply(event);
    }
    return this;
  }

  /** Moves the wall clock to T0 + offset and lets the job index act on it. */
  at(offset: number): this {
    this.wall.set(T0 + offset);
    this.index.tick();
    return this;
  }

  drain(): this {
    this.index.drain();
    return this;
  }

  /** A full scrape, as Prometheus would take it (every collect runs). */
  scrape(format: ExpositionFormat = 'prometheus'): Promise<string> {
    return render(this.registry, format);
  }

  /** The sample of `name` (a series name: `_bucket`, `_count`, `_sum` for histograms) with exactly `labels`. */
  async value(name: string, labels: Labels = {}): Promise<number | undefined> {
    return (await this.samples(name)).find((s) => sameLabels(s.labels, labels))?.value;
  }

  async samples(name: string): Promise<Array<{ labels: Labels; value: number }>> {
    const family = familyOf(name);
    const metric = this.registry.getSingleMetric(family);
    if (!metric) throw new Error(`no metric ${family}`);
    const data = await metric.get();
    return data.values
      .filter((v) => ((v as { metricName?: string }).metricName ?? data.name) === name)
      .map((v) => ({ labels: stringLabels(v.labels), value: v.value }));
  }

  /** Label values of `label` across the series of `name`. */
  async labelValues(name: string, label: string): Promise<string[]> {
    const values = (await this.samples(name)).map((s) => s.labels[label]).filter((v) => v !== undefined);
    return [...new Set(values)].sort();
  }
}

function familyOf(name: string): string {
  const histogramPart = /_(bucket|sum|count)$/;
  return histogramPart.test(name) && !name.endsWith('_total') ? name.replace(histogramPart, '') : name;
}

function stringLabels(labels: object): Labels {
  return Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)]));
}

function sameLabels(a: Labels, b: Labels): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
