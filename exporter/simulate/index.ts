/** The deterministic DVM traffic simulator: seeded, signed, realistic NIP-90 traffic for tests and demos. */

export { HEARTBEAT_INTERVAL_SECONDS } from './background.js';
export type { NostrEventLike, SimExpectation, SimulatedItem } from './item.js';
export type { DvmBehaviour, SimDvm, SimulationKeys } from './keys.js';
export { SIM_DVMS, simulationKeys } from './keys.js';
export type { ScenarioName } from './scenarios.js';
export { SCENARIO_NAMES, scenarioEvents } from './scenarios.js';
export type { SimulationOptions } from './simulate.js';
export {
  DEFAULT_DUPLICATE_SHARE,
  DEFAULT_SIMULATION,
  downAt,
  simulate,
  validateSimulationOptions,
} from './simulate.js';
