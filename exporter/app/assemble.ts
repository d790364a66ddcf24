import { Router } from 'express';
import { Registry } from 'prom-client';
import type { Clock } from '../base/clock.js';
import type { Logger } from '../base/logger.js';
import type { Config } from '../config/schema.js';
import type { EventVerifier } from '../model/verify.js';
import { Pipeline } from '../pipeline/pipeline.js';
import type { AssemblyContext, Mode, Sink, SinkFactory } from '../pipeline/sink.js';
import { probePublicKeys } from '../probe/index.js';

export interface AssembleOptions {
  readonly config: Config;
  readonly mode: Mode;
  readonly logger: Logger;
  readonly verifier: EventVerifier;
  /** Job-logic clock: wall clock in `run`, an EventTimeClock in `replay`. */
  readonly clock: Clock;
  readonly wallClock: Clock;
  /** Sink factories in delivery order (metrics, store, traces, ...). */
  readonly sinks: readonly SinkFactory[];
}

export interface Assembly extends AssemblyContext {
  readonly sinks: readonly Sink[];
  /** Flushes and closes every sink (in reverse order of creation). */
  close(): Promise<void>;
}

/** Wires the pipeline and the configured sinks together; the same wiring serves `run` and `replay`. */
export async function assemble(options: AssembleOptions): Promise<Assembly> {
  const { config, mode, logger } = options;
  const pipeline = new Pipeline(
    {
      verifier: options.verifier,
      clock: options.clock,
      wallClock: options.wallClock,
      onSinkError: (sink, error) => logger.error({ sink, err: error }, 'sink failed to handle an event'),
    },
    {
      shapeLimits: {
        maxEventBytes: config.pipeline.maxEventBytes,
        maxFutureSeconds: config.pipeline.maxFutureSeconds,
      },
      jobIndex: config.jobs,
      seenIdCapacity: config.pipeline.seenIdCapacity,
      probeKeys: probePublicKeys(config),
    },
  );
  const ctx: AssemblyContext = {
    config,
    mode,
    logger,
    pipeline,
    registry: openMetricsRegistry(),
    router: Router(),
    wallClock: options.wallClock,
  };
  const sinks: Sink[] = [];
  try {
    for (const factory of options.sinks) {
      const sink = await factory(ctx);
      if (sink) {
        pipeline.bus.addSink(sink);
        sinks.push(sink);
      }
    }
  } catch (error) {
    await closeAll(sinks, logger);
    throw error;
  }
  return { ...ctx, sinks, close: () => closeAll(sinks, logger) };
}

/**
 * OpenMetrics, because only OpenMetrics registries carry exemplars (trace ids on histograms);
 * /metrics still serves the Prometheus text format to scrapers that ask for it.
 */
function openMetricsRegistry(): Registry {
  const registry = new Registry();
  // prom-client's typings omit the OpenMetrics type parameter of setContentType.
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE as typeof Registry.PROMETHEUS_CONTENT_TYPE);
  return registry;
}

async function closeAll(sinks: readonly Sink[], logger: Logger): Promise<void> {
  for (const sink of [...sinks].reverse()) {
    try {
      await sink.close();
    } catch (error) {
      logger.error({ sink: sink.name, err: error }, 'sink failed to close');
    }
  }
}
