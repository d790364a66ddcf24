import type { RemovableSeries } from './dvm-labels.js';

/**
 * One series of a DVM metric, found by its label values without building a key: the labels object is
 * made once, and a counter's increments gather here until the metric is read. prom-client hashes and
 * validates the labels on every `inc` (lib/counter.js, `incWithoutExemplar`, prom-client 15.1.3), which
 * cost more than the rest of a metric update; handing it one sum per series per scrape does not.
 */
export interface SeriesChild<M extends RemovableSeries = RemovableSeries> {
  readonly labels: Readonly<Record<string, string>>;
  /** Added since the last flush, not yet in prom-client. */
  pending: number;
  /** In the flush list (a zero increment too: it creates the series). */
  dirty: boolean;
  /** Its DVM's series were removed: a later flush must not bring it back. */
  removed: boolean;
  /** Registered with DvmLabels, so its series goes when its DVM is forgotten. */
  tracked: boolean;
  readonly owner: SeriesChildren<M>;
}

/** Anything taking prom-client's `inc(labels, value)`. */
export interface IncrementableSeries extends RemovableSeries {
  inc(labels: Record<string, string>, value?: number): void;
}

/** Label values of one series: `kind` and `dvm`, and for some metrics a third (`status`, `encrypted`). */
type Trie<M extends RemovableSeries> = Map<string, Map<string, Map<string, SeriesChild<M>>>>;

/**
 * The children of one metric whose labels are `kind`, `dvm` and at most one more, by dvm, kind, then
 * the third value. Bounded like the series themselves: a child exists only for a series written under
 * the `dvm` label cap, and goes when DvmLabels removes its DVM's series (through `remove`, since the
 * cache stands in for the metric in DvmLabels' tracking).
 */
export class SeriesChildren<M extends RemovableSeries> implements RemovableSeries {
  private readonly byDvm: Trie<M> = new Map();

  constructor(
    readonly metric: M,
    /** The third label's name, null for `{kind, dvm}` metrics. */
    readonly extra: string | null,
  ) {}

  /** The child of `{kind, dvm[, extra]}`, made on first use (untracked: the caller tracks it). */
  child(kind: string, dvm: string, extra: string | undefined): SeriesChild<M> {
    let byKind = this.byDvm.get(dvm);
    if (byKind === undefined) {
      byKind = new Map();
      this.byDvm.set(dvm, byKind);
    }
    let byExtra = byKind.get(kind);
    if (byExtra === undefined) {
      byExtra = new Map();
      byKind.set(kind, byExtra);
    }
    const third = extra ?? '';
    const known = byExtra.get(third);
    if (known !== undefined) return known;
    // Labels in contract order ({kind,dvm,...}), which is the order the exposition prints them in.
    const labels: Record<string, string> =
      this.extra === null ? { kind, dvm } : { kind, dvm, [this.extra]: third };
    const child: SeriesChild<M> = {
      labels,
      pending: 0,
      dirty: false,
      removed: false,
      tracked: false,
      owner: this,
    };
    byExtra.set(third, child);
    return child;
  }

  /** Removes the series from the metric and the child from the cache. */
  remove(labels: Record<string, string>): void {
    const { kind, dvm } = labels;
    if (kind !== undefined && dvm !== undefined) {
      const byExtra = this.byDvm.get(dvm)?.get(kind);
      const third = this.extra === null ? '' : (labels[this.extra] ?? '');
      const child = byExtra?.get(third);
      if (child !== undefined) {
        child.removed = true;
        byExtra?.delete(third);
        if (byExtra?.size === 0) this.byDvm.get(dvm)?.delete(kind);
        if (this.byDvm.get(dvm)?.size === 0) this.byDvm.delete(dvm);
      }
    }
    this.metric.remove(labels);
  }
}

/** Hands a counter child's gathered increments to prom-client. */
export function flushChild(child: SeriesChild<IncrementableSeries>): void {
  child.dirty = false;
  if (child.removed) return;
  const value = child.pending;
  child.pending = 0;
  child.owner.metric.inc(child.labels as Record<string, string>, value);
}
