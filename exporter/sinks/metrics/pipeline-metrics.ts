import { Counter, Gauge, type Registry } from 'prom-client';
import type { Clock } from '../../base/clock.js';
import type { JobIndexStats } from '../../jobs/stats.js';
import { REJECT_REASONS } from '../../model/reasons.js';
import type { IngestSummary } from '../../pipeline/summary.js';
import { kindLabel } from './kind-label.js';
import { METRIC } from './names.js';

/** What the pipeline tells about itself; read at scrape time. `Pipeline` satisfies it. */
export interface PipelineView {
  summaryTotals(): IngestSummary;
  readonly jobs: { stats(): JobIndexStats };
  readonly bus: { sinkErrors(): ReadonlyMap<string, number> };
  readonly seenIds: number;
  /** The signature verifier (build info). */
  readonly verifierName: string;
}

export interface PipelineMetricSources {
  readonly pipeline: PipelineView;
  /** The present for ages: the wall clock live, the newest created_at in replay. */
  readonly now: () => number;
  /** Wall clock, to read the job index at most once per second of scrapes. */
  readonly wallClock: Clock;
  /** Errors the metrics sink caught itself, reported beside the bus's count for other sinks. */
  readonly ownErrors: () => number;
  /** Labelled DVMs (allowlisted and discovered). */
  readonly trackedDvms: () => number;
  /** Dropped entries of the bounded liveness trackers, by tracker. */
  readonly trackingDropped: () => Iterable<[string, number]>;
}

type Labels = Record<string, string>;

/**
 * A counter whose value is a running total kept elsewhere: on each scrape it is raised by what the
 * total grew since the last one, so it stays a true counter (never set, never decreasing).
 */
function mirroredCounter(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly string[],
  totals: () => Iterable<[Labels, number]>,
): Counter<string> {
  const reported = new Map<string, number>();
  return new Counter<string>({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      for (const [labels, total] of totals()) {
        const key = JSON.stringify(labels);
        const before = reported.get(key);
        if (before === undefined || total > before) {
          this.inc(labels, total - (before ?? 0));
          reported.set(key, total);
        }
      }
    },
  });
}

/** The exporter's self-metrics sourced from the pipeline, and the in-flight job gauges. */
export function registerPipelineMetrics(registry: Registry, src: PipelineMetricSources): void {
  let cached: { at: number; stats: JobIndexStats } | null = null;
  const stats = (): JobIndexStats => {
    const at = Math.floor(src.wallClock.now());
    if (cached?.at !== at) cached = { at, stats: src.pipeline.jobs.stats() };
    return cached.stats;
  };
  const registers = [registry];
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });

  const inFlightByKind = () => {
    const byKind = new Map<string, { count: number; oldestCreatedAt: number }>();
    for (const [kind, entry] of stats().inFlight) {
      const label = kindLabel(kind);
      const known = byKind.get(label);
      byKind.set(
        label,
        known
          ? {
              count: known.count + entry.count,
              oldestCreatedAt: Math.min(known.oldestCreatedAt, entry.oldestCreatedAt),
            }
          : { count: entry.count, oldestCreatedAt: entry.oldestCreatedAt },
      );
    }
    return byKind;
  };
  new Gauge<'kind'>({
    name: METRIC.jobsInFlight,
    help: 'Open jobs (request seen, not settled or expired yet), by request kind.',
    labelNames: ['kind'],
    registers,
    collect() {
      this.reset();
      for (const [kind, entry] of inFlightByKind()) this.set({ kind }, entry.count);
    },
  });
  new Gauge<'kind'>({
    name: METRIC.oldestInFlight,
    help: 'Age of the oldest open job (now - request created_at), by request kind.',
    labelNames: ['kind'],
    registers,
    collect() {
      this.reset();
      const now = src.now();
      for (const [kind, entry] of inFlightByKind())
        this.set({ kind }, Math.max(0, now - entry.oldestCreatedAt));
    },
  });

  mirroredCounter(
    registry,
    METRIC.accepted,
    'Events accepted (valid, verified, first copy), by role.',
    ['role'],
    () => Object.entries(src.pipeline.summaryTotals().roles).map(([role, n]) => [{ role }, n]),
  );
  mirroredCounter(registry, METRIC.duplicates, 'Further copies of events already accepted.', [], () => [
    [{}, src.pipeline.summaryTotals().duplicates],
  ]);
  mirroredCounter(registry, METRIC.rejected, 'Inputs rejected, by reason.', ['reason'], () => {
    const rejected = src.pipeline.summaryTotals().rejected;
    return REJECT_REASONS.map((reason) => [{ reason }, rejected[reason] ?? 0]);
  });
  mirroredCounter(
    registry,
    METRIC.orphans,
    'Results, feedback, job inputs and zaps that could not be linked to a known job, by reason.',
    ['reason'],
    () => Object.entries(stats().orphans).map(([reason, n]) => [{ reason }, n]),
  );
  mirroredCounter(
    registry,
    METRIC.jobEvictions,
    'Jobs the index forgot early, by reason (cap, age).',
    ['reason'],
    () => Object.entries(stats().evictions).map(([reason, n]) => [{ reason }, n]),
  );
  mirroredCounter(
    registry,
    METRIC.jobLimitOverflow,
    "Events left out of a job's snapshot by the per-job limits (still delivered to every sink), by limit.",
    ['limit'],
    () => Object.entries(stats().overflow).map(([limit, n]) => [{ limit }, n]),
  );
  mirroredCounter(
    registry,
    METRIC.sinkErrors,
    'Domain events a sink failed to handle, by sink.',
    ['sink'],
    () => {
      const errors = new Map(src.pipeline.bus.sinkErrors());
      errors.set('metrics', (errors.get('metrics') ?? 0) + src.ownErrors());
      return [...errors].map(([sink, n]) => [{ sink }, n]);
    },
  );
  mirroredCounter(
    registry,
    METRIC.trackingOverflow,
    'Entries dropped from bounded liveness tracking (pending answers, jobs in progress) at capacity.',
    ['tracker'],
    () => [...src.trackingDropped()].map(([tracker, n]) => [{ tracker }, n]),
  );

  gauge(METRIC.jobsTracked, 'Jobs held by the job index (placeholders included).', () => stats().jobsTracked);
  gauge(METRIC.jobsOpen, 'Tracked jobs not settled or expired yet.', () => stats().openJobs);
  gauge(
    METRIC.jobPlaceholders,
    'Tracked jobs built from responses whose request is unseen.',
    () => stats().placeholders,
  );
  gauge(METRIC.dedupEntries, 'Event ids remembered for deduplication.', () => src.pipeline.seenIds);
  gauge(
    METRIC.trackedDvms,
    'DVMs with a dvm label of their own (allowlisted and discovered).',
    src.trackedDvms,
  );
}
