import { Gauge, type Registry } from 'prom-client';
import { type DvmLabels, OTHER_DVM } from './dvm-labels.js';
import type { DvmNames } from './dvm-names.js';
import { DVM_STATES, dvmState, isUp, type JobsInProgress, type LivenessOptions } from './liveness.js';
import type { MetricsTime } from './metrics-time.js';
import { METRIC } from './names.js';

export interface DvmGaugeSources {
  readonly dvms: DvmLabels;
  readonly names: DvmNames;
  readonly working: JobsInProgress;
  readonly time: MetricsTime;
  readonly liveness: LivenessOptions;
  /** Brings time-driven state up to date before values are read. */
  readonly sweep: () => void;
}

/**
 * Per-DVM gauges, computed from the evidence at scrape time (conventions: point-in-time values in
 * collect()). Each is rebuilt from scratch, so a forgotten DVM or a renamed one leaves no stale series.
 * Only DVMs with a label of their own get them; `__other__` and `__unknown__` have counters only.
 */
export function registerDvmGauges(registry: Registry, src: DvmGaugeSources): void {
  const registers = [registry];
  const perDvm = (name: string, help: string, read: (dvm: string) => number | null) =>
    new Gauge<'dvm'>({
      name,
      help,
      labelNames: ['dvm'],
      registers,
      collect() {
        src.sweep();
        this.reset();
        for (const [dvm] of src.dvms.entries()) {
          const value = read(dvm);
          if (value !== null) this.set({ dvm }, value);
        }
      },
    });
  const evidence = (dvm: string) => src.dvms.evidence(dvm);
  const stateOf = (dvm: string) => {
    const found = evidence(dvm);
    return found ? dvmState(found, src.time.now(), src.liveness) : 'zombie';
  };

  new Gauge<'dvm' | 'name'>({
    name: METRIC.info,
    help: "1 for every labelled DVM, with its NIP-89 name (else its pubkey's first 12 hex digits), for joins.",
    labelNames: ['dvm', 'name'],
    registers,
    collect() {
      src.sweep();
      this.reset();
      for (const [dvm] of src.dvms.entries()) this.set({ dvm, name: src.names.nameOf(dvm) }, 1);
    },
  });
  perDvm(
    METRIC.up,
    '0 when there is evidence the DVM is down (see dvm_state), 1 otherwise; idle is not down.',
    (dvm) => (isUp(stateOf(dvm)) ? 1 : 0),
  );
  new Gauge<'dvm' | 'state'>({
    name: METRIC.state,
    help: 'The DVM liveness state, one series per state: alive, degraded, silent, dead, zombie.',
    labelNames: ['dvm', 'state'],
    registers,
    collect() {
      src.sweep();
      this.reset();
      for (const [dvm] of src.dvms.entries()) {
        const current = stateOf(dvm);
        for (const state of DVM_STATES) this.set({ dvm, state }, state === current ? 1 : 0);
      }
    },
  });
  perDvm(
    METRIC.lastSeen,
    'created_at of the newest result or feedback from the DVM.',
    (dvm) => evidence(dvm)?.lastSeenAt ?? null,
  );
  perDvm(
    METRIC.lastResult,
    'created_at of the newest result from the DVM.',
    (dvm) => evidence(dvm)?.lastResultAt ?? null,
  );
  perDvm(
    METRIC.lastHeartbeat,
    'created_at of the newest heartbeat (kind 11998) from the DVM; absent for DVMs that never beat.',
    (dvm) => evidence(dvm)?.lastHeartbeatAt ?? null,
  );

  const progress = () => {
    const byLabel = new Map<string, { count: number; oldestSince: number }>();
    for (const [dvm, entry] of src.working.byDvm()) {
      const label = src.dvms.has(dvm) ? dvm : OTHER_DVM;
      const known = byLabel.get(label);
      byLabel.set(
        label,
        known
          ? { count: known.count + entry.count, oldestSince: Math.min(known.oldestSince, entry.oldestSince) }
          : { ...entry },
      );
    }
    return byLabel;
  };
  new Gauge<'dvm'>({
    name: METRIC.jobsInProgress,
    help: 'Open jobs the DVM said it is working on (processing, partial) with no result from it yet.',
    labelNames: ['dvm'],
    registers,
    collect() {
      src.sweep();
      this.reset();
      const byLabel = progress();
      for (const [dvm] of src.dvms.entries()) this.set({ dvm }, byLabel.get(dvm)?.count ?? 0);
      const other = byLabel.get(OTHER_DVM);
      if (other) this.set({ dvm: OTHER_DVM }, other.count);
    },
  });
  new Gauge<'dvm'>({
    name: METRIC.oldestInProgress,
    help: 'Age of the oldest job the DVM is working on without a result (since its first processing feedback).',
    labelNames: ['dvm'],
    registers,
    collect() {
      src.sweep();
      this.reset();
      const now = src.time.now();
      for (const [dvm, entry] of progress()) this.set({ dvm }, Math.max(0, now - entry.oldestSince));
    },
  });
}
