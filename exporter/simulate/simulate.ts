import { scheduleStartup } from './background.js';
import type { SimulatedItem } from './item.js';
import { JOB_SCENARIOS } from './job-mix.js';
import { simulationKeys } from './keys.js';
import { duplicateOf, Noise } from './malformed.js';
import { Schedule } from './queue.js';
import { Rng } from './rng.js';
import { World } from './world.js';

export interface SimulationOptions {
  readonly seed: number;
  /** Unix seconds of the first event. */
  readonly start: number;
  readonly durationSeconds: number;
  /** Mean rate of job arrivals (a chain counts once). */
  readonly requestsPerMinute: number;
  /** Share of all items that are malformed, forged or not DVM traffic, 0..1. */
  readonly malformedShare: number;
  /** Share of valid events delivered a second time, byte for byte (as from a second relay). Default 0.02. */
  readonly duplicateShare?: number;
  /**
   * NIP-40 `expiration` tags as nostrdvm writes them (feedback and results + 600 s, heartbeats + 300 s).
   * Default true. Relays refuse events whose expiration has passed, so traffic published long after
   * its time needs them off.
   */
  readonly expirationTags?: boolean;
}

export const DEFAULT_SIMULATION: SimulationOptions = Object.freeze({
  seed: 1,
  start: 1_767_225_600, // 2026-01-01T00:00:00Z
  durationSeconds: 3_600,
  requestsPerMinute: 30,
  malformedShare: 0.03,
});

export const DEFAULT_DUPLICATE_SHARE = 0.02;

/** When the `down` DVM stops answering: 60 % into the run. */
export function downAt(options: SimulationOptions): number {
  return options.start + Math.floor(options.durationSeconds * 0.6);
}

export function validateSimulationOptions(options: SimulationOptions): void {
  const check = (ok: boolean, message: string): void => {
    if (!ok) throw new RangeError(message);
  };
  check(Number.isSafeInteger(options.seed), `seed must be an integer, got ${options.seed}`);
  check(
    Number.isSafeInteger(options.start) && options.start >= 0,
    `start must be unix seconds, got ${options.start}`,
  );
  check(
    Number.isSafeInteger(options.durationSeconds) && options.durationSeconds > 0,
    `duration must be a positive number of seconds, got ${options.durationSeconds}`,
  );
  check(
    Number.isFinite(options.requestsPerMinute) &&
      options.requestsPerMinute > 0 &&
      options.requestsPerMinute <= 60_000,
    `rate must be between 0 and 60000 requests per minute, got ${options.requestsPerMinute}`,
  );
  for (const [name, share] of [
    ['malformed share', options.malformedShare],
    ['duplicate share', options.duplicateShare ?? DEFAULT_DUPLICATE_SHARE],
  ] as const) {
    check(Number.isFinite(share) && share >= 0 && share < 1, `${name} must be in [0, 1), got ${share}`);
  }
}

/**
 * Seeded, deterministic DVM traffic, in publication order. Streams: memory holds only the jobs in
 * flight, so a day of traffic costs no more than an hour.
 *
 * The market traffic and the noise (malformed items, duplicates) draw from separate random streams:
 * changing the malformed or duplicate share leaves every valid event unchanged.
 */
export function* simulate(options: SimulationOptions): Generator<SimulatedItem> {
  validateSimulationOptions(options);
  const keys = simulationKeys(options.seed);
  const schedule = new Schedule();
  const end = options.start + options.durationSeconds;
  const world = new World(
    new Rng(`dvm-exporter/simulate/market/${options.seed}`),
    keys,
    schedule,
    options.start,
    end,
    downAt(options),
    options.expirationTags ?? true,
  );
  const noise = new Noise(new Rng(`dvm-exporter/simulate/noise/${options.seed}`), keys);
  const duplicateShare = options.duplicateShare ?? DEFAULT_DUPLICATE_SHARE;
  const meanGap = 60 / options.requestsPerMinute;
  const arrivals = new Rng(`dvm-exporter/simulate/arrivals/${options.seed}`);

  scheduleStartup(world);
  let clock = options.start + 2; // fractional arrival clock; requests land on whole seconds
  let nextArrival = Math.floor(clock);
  for (;;) {
    const due = schedule.peekTime();
    // Generate every job that starts before the next pending item, so output stays in time order.
    if (nextArrival < end && (due === undefined || nextArrival <= due)) {
      world.rng.weighted(JOB_SCENARIOS)(world, nextArrival);
      clock += arrivals.exponential(meanGap);
      nextArrival = Math.floor(clock);
      continue;
    }
    const next = schedule.pop();
    if (!next || next.at >= end) return;
    if (next.entry.type === 'task') {
      next.entry.run();
      continue;
    }
    const item = next.entry.item;
    yield item;
    if (item.expect.outcome !== 'accepted') continue;
    const delay = noise.rollDuplicate(duplicateShare);
    if (delay !== null)
      schedule.push(item.at + delay, { type: 'item', item: duplicateOf(item, item.at + delay) });
    if (noise.rollMalformed(options.malformedShare)) {
      schedule.push(item.at, { type: 'item', item: noise.malformed(item.at) });
    }
  }
}
