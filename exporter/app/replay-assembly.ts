import type { Config } from '../config/schema.js';
import { assembleCommand, type CommandAssemblyOptions, type VerifiedAssembly } from './assemble.js';

export type ReplayAssemblyOptions = CommandAssemblyOptions;

/** The replay's pool verifies file events in order (replayFiles takes it). */
export type ReplayAssembly = VerifiedAssembly;

/** The assembly `replay` runs on: event time, and verifying threads as configured. */
export function assembleReplay(config: Config, options: ReplayAssemblyOptions = {}): Promise<ReplayAssembly> {
  return assembleCommand(config, 'replay', options, { announceAt: 'debug' });
}
