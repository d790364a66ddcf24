import { collectDefaultMetrics, type Registry } from 'prom-client';
import { LogThrottle } from '../../base/log-throttle.js';
import type { SinkFactory } from '../../pipeline/sink.js';
import { MetricsSink } from './metrics-sink.js';

export interface MetricsSinkFactoryOptions {
  /** prom-client's `process_*` and `nodejs_*` metrics, live only (a replay's output stays deterministic). */
  readonly defaultMetrics?: boolean;
}

/** A failing metrics sink logs at most one line this often (with how many errors came since). */
const ERROR_LOG_SECONDS = 10;

/** The metrics sink on the shared registry. Always on: the registry is what /metrics and --metrics-out expose. */
export function createMetricsSinkFactory(options: MetricsSinkFactoryOptions = {}): SinkFactory {
  return async (ctx) => {
    if (ctx.mode === 'run' && (options.defaultMetrics ?? true)) registerDefaultMetrics(ctx.registry);
    let errors = 0;
    const throttle = new LogThrottle(ctx.wallClock, ERROR_LOG_SECONDS);
    return new MetricsSink({
      registry: ctx.registry,
      mode: ctx.mode,
      clock: ctx.clock,
      wallClock: ctx.wallClock,
      options: ctx.config.metrics,
      maxJobs: ctx.config.jobs.maxJobs,
      pipeline: ctx.pipeline,
      onError: (err, context) => {
        errors++;
        const held = throttle.take('record');
        if (held !== null)
          ctx.logger.error({ err, context, errors, held }, 'metrics sink failed to record an event');
      },
    });
  };
}

/**
 * prom-client's sums of its own per-type gauges: gauges named like counters (promtool flags them) and
 * aggregates beside their per-label series, which `sum()` already gives.
 */
const REDUNDANT_DEFAULT_METRICS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** prom-client's `process_*` and `nodejs_*` metrics, once per registry, whoever asks first. */
export function registerDefaultMetrics(registry: Registry): void {
  if (registry.getSingleMetric('process_cpu_seconds_total')) return;
  collectDefaultMetrics({ register: registry });
  for (const name of REDUNDANT_DEFAULT_METRICS) registry.removeSingleMetric(name);
}
