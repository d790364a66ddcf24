/**
 * Governs the `dvm` label: which DVM pubkeys get a label value of their own, and the evidence kept about
 * each of them. Allowlisted DVMs always do; other DVMs are discovered up to a hard cap, past which they
 * share `__other__`. A discovered DVM idle for long enough is forgotten: its series are removed and its
 * slot is freed. Allowlisted DVMs are never forgotten, because a removed series reads as "no data"
 * rather than as the DVM being quiet.
 */

/** Label value shared by DVMs past the cap. */
export const OTHER_DVM = '__other__';
/** Label value of targeted pubkeys never seen acting as a DVM (a `p` tag can name anyone). */
export const UNKNOWN_DVM = '__unknown__';

/** What is known about one labelled DVM. Times are event created_at, in seconds. */
export interface DvmEvidence {
  /** Newest created_at of anything naming the DVM (its events, requests addressed to it): idleness. */
  lastActivityAt: number;
  /** Newest result or feedback. */
  lastSeenAt: number | null;
  lastResultAt: number | null;
  lastHeartbeatAt: number | null;
  /** created_at of the newest request addressed to the DVM that it left unanswered. */
  lastUnansweredAt: number | null;
}

/** Anything with prom-client's `remove(labels)`. */
export interface RemovableSeries {
  remove(labels: Record<string, string>): void;
}

interface TrackedSeries {
  readonly metric: RemovableSeries;
  readonly labels: Record<string, string>;
}

function freshEvidence(at: number): DvmEvidence {
  return {
    lastActivityAt: at,
    lastSeenAt: null,
    lastResultAt: null,
    lastHeartbeatAt: null,
    lastUnansweredAt: null,
  };
}

export class DvmLabels {
  private readonly allowlist: ReadonlySet<string>;
  private readonly evidenceByDvm = new Map<string, DvmEvidence>();
  private readonly seriesByDvm = new Map<string, Map<string, TrackedSeries>>();
  private discoveredCount = 0;

  constructor(
    private readonly cap: number,
    allowlist: readonly string[],
    /** Called with the metric name each time a write is folded into `__other__`. */
    private readonly onOverflow: (metric: string) => void,
  ) {
    this.allowlist = new Set(allowlist);
    for (const dvm of this.allowlist) this.evidenceByDvm.set(dvm, freshEvidence(0));
  }

  /**
   * The label value for a write to `metric` about `dvm` seen at `at`: the pubkey when it has a label or
   * a slot is free (claiming it), `__other__` past the cap (counted against `metric` unless null).
   */
  claim(dvm: string, metric: string | null, at: number): string {
    let evidence = this.evidenceByDvm.get(dvm);
    if (!evidence) {
      if (this.discoveredCount >= this.cap) {
        if (metric !== null) this.onOverflow(metric);
        return OTHER_DVM;
      }
      evidence = freshEvidence(at);
      this.evidenceByDvm.set(dvm, evidence);
      this.discoveredCount++;
    }
    if (at > evidence.lastActivityAt) evidence.lastActivityAt = at;
    return dvm;
  }

  has(dvm: string): boolean {
    return this.evidenceByDvm.has(dvm);
  }

  isAllowlisted(dvm: string): boolean {
    return this.allowlist.has(dvm);
  }

  evidence(dvm: string): DvmEvidence | undefined {
    return this.evidenceByDvm.get(dvm);
  }

  /** Labelled DVMs and their evidence (allowlisted first). */
  entries(): IterableIterator<[string, DvmEvidence]> {
    return this.evidenceByDvm.entries();
  }

  get size(): number {
    return this.evidenceByDvm.size;
  }

  /** Remembers a series written for a labelled DVM so that forgetting the DVM removes it. */
  track(dvm: string, metricName: string, metric: RemovableSeries, labels: Record<string, string>): void {
    if (!this.evidenceByDvm.has(dvm)) return;
    let series = this.seriesByDvm.get(dvm);
    if (!series) {
      series = new Map();
      this.seriesByDvm.set(dvm, series);
    }
    // A metric's labels come in one fixed order, so its name and the values name the series; label
    // values are the exporter's own (kinds, pubkeys, enumerations), never containing NUL.
    let key = metricName;
    for (const name in labels) key += `\u0000${labels[name]}`;
    if (!series.has(key)) series.set(key, { metric, labels });
  }

  /** Discovered DVMs whose newest activity is older than `cutoff`. */
  idleBefore(cutoff: number): string[] {
    const idle: string[] = [];
    for (const [dvm, evidence] of this.evidenceByDvm) {
      if (!this.allowlist.has(dvm) && evidence.lastActivityAt < cutoff) idle.push(dvm);
    }
    return idle;
  }

  /** Removes every series of a discovered DVM and frees its slot. Allowlisted DVMs stay. */
  forget(dvm: string): boolean {
    if (this.allowlist.has(dvm) || !this.evidenceByDvm.delete(dvm)) return false;
    this.discoveredCount--;
    for (const { metric, labels } of this.seriesByDvm.get(dvm)?.values() ?? []) metric.remove(labels);
    this.seriesByDvm.delete(dvm);
    return true;
  }
}
