import { systemClock } from '../base/clock.js';
import { EventTimeClock } from '../base/event-time-clock.js';
import { createLogger, type Logger } from '../base/logger.js';
import type { Config } from '../config/schema.js';
import type { SinkFactory } from '../pipeline/sink.js';
import { startVerification } from '../verify/setup.js';
import type { VerifyPool } from '../verify/verify-pool.js';
import { type Assembly, assemble } from './assemble.js';
import { configSecrets } from './secrets.js';
import { SINK_FACTORIES } from './sink-factories.js';

export interface ReplayAssemblyOptions {
  readonly logger?: Logger;
  /** The configured sinks by default; tests and benchmarks may pick fewer. */
  readonly sinks?: readonly SinkFactory[];
}

export interface ReplayAssembly extends Assembly {
  /** Threads verifying signatures (replayFiles takes it), or null to verify on the main thread. */
  readonly verifyPool: VerifyPool | null;
}

/**
 * The assembly `replay` runs on: event time drives job logic, so replaying the same files gives
 * the same outputs however fast they are read.
 */
export async function assembleReplay(
  config: Config,
  options: ReplayAssemblyOptions = {},
): Promise<ReplayAssembly> {
  const logger =
    options.logger ?? createLogger(config.logLevel, { secrets: configSecrets(config, process.env) });
  const { verifier, pool } = await startVerification(config.pipeline, logger, { announceAt: 'debug' });
  let assembly: Assembly;
  try {
    assembly = await assemble({
      config,
      mode: 'replay',
      logger,
      verifier,
      clock: new EventTimeClock(),
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
