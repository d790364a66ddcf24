import type { Config } from '../config/schema.js';
import { createVerifier } from '../model/verify.js';
import { systemClock } from '../util/clock.js';
import { EventTimeClock } from '../util/event-time-clock.js';
import { type Assembly, assemble, type SinkFactory } from './assemble.js';
import { createLogger, type Logger } from './logger.js';
import { configSecrets } from './secrets.js';
import { SINK_FACTORIES } from './sink-factories.js';

export interface ReplayAssemblyOptions {
  readonly logger?: Logger;
  /** The configured sinks by default; tests and benchmarks may pick fewer. */
  readonly sinks?: readonly SinkFactory[];
}

/**
 * The assembly `replay` runs on: event time drives job logic, so replaying the same files gives
 * the same outputs however fast they are read.
 */
export async function assembleReplay(config: Config, options: ReplayAssemblyOptions = {}): Promise<Assembly> {
  return assemble({
    config,
    mode: 'replay',
    logger: options.logger ?? createLogger(config.logLevel, { secrets: configSecrets(config, process.env) }),
    verifier: await createVerifier('wasm'),
    clock: new EventTimeClock(),
    wallClock: systemClock,
    sinks: options.sinks ?? SINK_FACTORIES,
  });
}
