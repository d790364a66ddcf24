import type { Registry } from 'prom-client';
import type { Clock } from '../../base/clock.js';
import type { Config } from '../../config/schema.js';
import type { DomainEvent } from '../../jobs/domain-events.js';
import type { Mode, Sink } from '../../pipeline/sink.js';
import { currentBuildInfo, registerBuildInfo } from './build-info.js';
import { registerDvmGauges } from './dvm-gauges.js';
import { DvmLabels } from './dvm-labels.js';
import { DvmNames } from './dvm-names.js';
import { DvmSeries } from './dvm-series.js';
import { createInstruments } from './instruments.js';
import { JobRecorder } from './job-recorder.js';
import { JobsInProgress, PendingAnswers } from './liveness.js';
import { MetricsTime } from './metrics-time.js';
import { type PipelineView, registerPipelineMetrics } from './pipeline-metrics.js';

export type MetricsOptions = Config['metrics'];

export interface MetricsSinkDeps {
  readonly registry: Registry;
  readonly mode: Mode;
  /** The pipeline's job-logic clock (AssemblyContext.clock). */
  readonly clock: Clock;
  readonly wallClock: Clock;
  readonly options: MetricsOptions;
  /** Bounds the liveness trackers (a few entries per tracked job). */
  readonly maxJobs: number;
  /** Source of the exporter's self-metrics; without it only the domain metrics are registered. */
  readonly pipeline?: PipelineView;
  /** A failure the sink caught (it never throws into the pipeline); `context` is the event type or `sweep`. */
  readonly onError?: (error: unknown, context: string) => void;
}

/** DVM names remembered from announcements, for DVMs that become active long after announcing. */
const NAME_CAPACITY = 10_000;

/**
 * The Prometheus sink: every domain event updates counters and histograms on the shared registry at
 * once; point-in-time values (liveness, in-flight jobs, self-metrics) are computed when scraped.
 */
export class MetricsSink implements Sink {
  readonly name = 'metrics';
  private readonly time: MetricsTime;
  private readonly recorder: JobRecorder;
  private readonly series: DvmSeries;
  private handled = 0;
  private errors = 0;
  private lastSweep = '';

  constructor(private readonly deps: MetricsSinkDeps) {
    const { registry, options } = deps;
    this.time = new MetricsTime(deps.mode, deps.clock, options.liveWindowSeconds);
    const pending = new PendingAnswers(4 * deps.maxJobs);
    const working = new JobsInProgress(4 * deps.maxJobs);
    const names = new DvmNames(NAME_CAPACITY);
    registerBuildInfo(registry, currentBuildInfo(deps.pipeline?.verifierName ?? 'unknown'));
    // Every read of a metric first applies what time changed, then the increments gathered since.
    const instruments = createInstruments(registry, () => {
      this.sweepIfDue();
      this.series.flush();
    });
    const dvms = new DvmLabels(options.dvmLabelCap, options.dvmAllowlist, (metric) =>
      instruments.labelOverflow.inc({ metric }),
    );
    this.series = new DvmSeries(instruments, dvms, names, this.time, options.dvmIdleSeconds);
    this.recorder = new JobRecorder(instruments, this.series, this.time, pending, working, {
      answerTimeoutSeconds: options.answerTimeoutSeconds,
    });
    registerDvmGauges(registry, {
      dvms,
      names,
      working,
      time: this.time,
      liveness: {
        heartbeatTimeoutSeconds: options.heartbeatTimeoutSeconds,
        silentSeconds: options.dvmSilentSeconds,
      },
      sweep: () => this.sweepIfDue(),
    });
    if (deps.pipeline) {
      registerPipelineMetrics(registry, {
        pipeline: deps.pipeline,
        now: () => this.time.now(),
        wallClock: deps.wallClock,
        ownErrors: () => this.errors,
        trackedDvms: () => dvms.size,
        trackingDropped: () => [
          ['pending_answers', pending.dropped],
          ['jobs_in_progress', working.dropped],
        ],
      });
    }
  }

  handle(event: DomainEvent): void {
    this.handled++;
    try {
      this.recorder.handle(event);
    } catch (error) {
      this.errors++;
      this.deps.onError?.(error, event.type);
    }
  }

  /**
   * Applies what time alone changes: addressed requests past their answer timeout become unanswered,
   * idle DVMs are forgotten. Scrapes call it; so can anyone holding the sink.
   */
  sweep(): void {
    try {
      this.recorder.sweep();
    } catch (error) {
      this.errors++;
      this.deps.onError?.(error, 'sweep');
    }
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}

  /** Several gauges ask for a sweep per scrape; one per second of time or per batch of events is enough. */
  private sweepIfDue(): void {
    const key = `${Math.floor(this.time.now())}:${this.handled}`;
    if (key === this.lastSweep) return;
    this.lastSweep = key;
    this.sweep();
  }
}
