import { Router } from 'express';
import { Registry } from 'prom-client';
import { type Clock, systemClock } from '../base/clock.js';
import { EventTimeClock } from '../base/event-time-clock.js';
import { createLogger, type Logger } from '../base/logger.js';
import type { Config } from '../config/schema.js';
import type { EventVerifier } from '../model/verify.js';
import type { CursorStore } from '../pipeline/cursor.js';
import { Pipeline } from '../pipeline/pipeline.js';
import type { AssemblyContext, Mode, Sink, SinkFactory } from '../pipeline/sink.js';
import { probePublicKeys } from '../probe/index.js';
import { startVerification, type VerificationOptions } from '../verify/setup.js';
import type { VerifyPool } from '../verify/verify-pool.js';
import { configSecrets } from './secrets.js';
import { SINK_FACTORIES } from './sink-factories.js';

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

export interface Assembly extends Omit<AssemblyContext, 'keepCursorsIn'> {
  readonly sinks: readonly Sink[];
  /** The cursor store a sink handed over (the history store's), or null: `run` then keeps a file. */
  readonly cursorStore: CursorStore | null;
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
  let cursorStore: CursorStore | null = null;
  const ctx: AssemblyContext = {
    config,
    mode,
    logger,
    pipeline,
    registry: openMetricsRegistry(),
    router: Router(),
    clock: options.clock,
    wallClock: options.wallClock,
    keepCursorsIn: (store) => {
      if (cursorStore) throw new Error('two sinks offered to keep relay cursors');
      cursorStore = store;
    },
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
  const { keepCursorsIn: _, ...context } = ctx;
  return { ...context, sinks, cursorStore, close: () => closeAll(sinks, logger) };
}

/** What `run` and `replay` take beside the config. */
export interface CommandAssemblyOptions {
  /** By default, a logger at the configured level that masks the config's secrets. */
  readonly logger?: Logger;
  /** The configured sinks by default; tests and benchmarks may pick fewer. */
  readonly sinks?: readonly SinkFactory[];
}

export interface VerifiedAssembly extends Assembly {
  /** Threads verifying signatures, or null to verify on the main thread. */
  readonly verifyPool: VerifyPool | null;
}

/**
 * The assembly a command runs on: its verifier (and verifying threads, as `verification` asks), and
 * its clock: wall time in `run`; event time in `replay`, so replaying the same files gives the same
 * outputs however fast they are read.
 */
export async function assembleCommand(
  config: Config,
  mode: Mode,
  options: CommandAssemblyOptions,
  verification: VerificationOptions,
): Promise<VerifiedAssembly> {
  const logger =
    options.logger ?? createLogger(config.logLevel, { secrets: configSecrets(config, process.env) });
  const { verifier, pool } = await startVerification(config.pipeline, logger, verification);
  let assembly: Assembly;
  try {
    assembly = await assemble({
      config,
      mode,
      logger,
      verifier,
      clock: mode === 'replay' ? new EventTimeClock() : systemClock,
      wallClock: systemClock,
      sinks: options.sinks ?? SINK_FACTORIES,
    });
  } catch (error) {
    await pool?.close();
    throw error;
  }
  return {
    ...assembly,
    verifyPool: pool,
    close: async () => {
      await pool?.close();
      await assembly.close();
    },
  };
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
