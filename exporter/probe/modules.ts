import type { Config } from '../config/schema.js';

/** What one probe asks: a job request of `kind` with these inputs and params, answered within the timeout. */
export interface ProbeModule {
  readonly kind: number;
  readonly inputs: readonly (readonly string[])[];
  readonly params: readonly (readonly [string, string])[];
  readonly timeoutSeconds: number;
  readonly relays: readonly string[];
}

/**
 * Built-in modules for the most common free kinds: text generation (5050; a one-word answer keeps the
 * DVM's work small) and content discovery (5300; no input, a DVM answers with its feed).
 */
export const BUILTIN_MODULES: Readonly<Record<string, ProbeModule>> = Object.freeze({
  'text-generation': {
    kind: 5050,
    inputs: [['Reply with the single word: ok', 'text']],
    params: [],
    timeoutSeconds: 45,
    relays: [],
  },
  'content-discovery': { kind: 5300, inputs: [], params: [], timeoutSeconds: 30, relays: [] },
});

/** Built-ins overlaid with the configured modules (a configured module of the same name wins). */
export function probeModules(config: Config['probe']): ReadonlyMap<string, ProbeModule> {
  return new Map(Object.entries({ ...BUILTIN_MODULES, ...config.modules }));
}
