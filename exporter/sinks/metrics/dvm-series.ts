import type { Histogram, LabelValues } from 'prom-client';
import type { JobSnapshot } from '../../jobs/domain-events.js';
import {
  type DvmEvidence,
  type DvmLabels,
  OTHER_DVM,
  type RemovableSeries,
  UNKNOWN_DVM,
} from './dvm-labels.js';
import type { DvmNames } from './dvm-names.js';
import { exemplarFor } from './exemplars.js';
import type { Instruments } from './instruments.js';
import type { MetricsTime } from './metrics-time.js';
import { flushChild, type IncrementableSeries, type SeriesChild, SeriesChildren } from './series-children.js';

/** A prom-client counter with a `dvm` label (label names are checked by the tests, not the types). */
type DvmCounter = IncrementableSeries;

/** A metric's labels besides `dvm`: always `kind`, and the metric's third label when it has one. */
type OtherLabels = { readonly kind: string } & Readonly<Record<string, string>>;

/**
 * Writes series about DVMs under the label governance of DvmLabels: each write claims the DVM's label
 * (folding into `__other__` past the cap) and is remembered so the DVM's series can be removed when it
 * goes idle. Also keeps the evidence records liveness is computed from. Series are found through
 * cached children (series-children.ts); counter increments reach prom-client at `flush`, which every
 * read of the registry runs first.
 */
export class DvmSeries {
  private readonly children = new Map<object, SeriesChildren<RemovableSeries>>();
  private readonly dirty: SeriesChild<IncrementableSeries>[] = [];

  constructor(
    private readonly m: Instruments,
    private readonly dvms: DvmLabels,
    private readonly names: DvmNames,
    private readonly time: MetricsTime,
    private readonly idleSeconds: number,
  ) {}

  /** Adds `value` to a counter for `dvm`, seen at `at`; `labels` are the other labels. */
  count(name: string, counter: DvmCounter, dvm: string, at: number, labels: OtherLabels, value = 1): void {
    this.add(name, counter, this.dvms.claim(dvm, name, at), labels, value);
  }

  /** Adds `value` to a counter whose `dvm` label value is already decided. */
  countAs(name: string, counter: DvmCounter, labels: OtherLabels & { dvm: string }, value = 1): void {
    this.add(name, counter, labels.dvm, labels, value);
  }

  /** Hands the gathered counter increments to prom-client, in the order their series were first written. */
  flush(): void {
    for (const child of this.dirty) flushChild(child);
    this.dirty.length = 0;
  }

  private add(name: string, counter: DvmCounter, dvm: string, labels: OtherLabels, value: number): void {
    const cache = this.childrenOf(counter, labels);
    const child = this.tracked(
      name,
      cache.child(labels.kind, dvm, cache.extra === null ? undefined : labels[cache.extra]),
    );
    child.pending += value;
    if (!child.dirty) {
      child.dirty = true;
      this.dirty.push(child);
    }
  }

  /** The metric's children; the third label's name is read from the first write's labels. */
  private childrenOf<M extends RemovableSeries>(metric: M, labels: OtherLabels): SeriesChildren<M> {
    const known = this.children.get(metric);
    if (known !== undefined) return known as SeriesChildren<M>;
    let extra: string | null = null;
    for (const label in labels) if (label !== 'kind' && label !== 'dvm') extra = label;
    const made = new SeriesChildren(metric, extra);
    this.children.set(metric, made);
    return made;
  }

  /** A new child is remembered once, so that forgetting its DVM removes its series. */
  private tracked<M extends RemovableSeries>(name: string, child: SeriesChild<M>): SeriesChild<M> {
    if (!child.tracked) {
      child.tracked = true;
      const labels = child.labels as Record<string, string>;
      this.dvms.track(labels.dvm ?? '', name, child.owner, labels);
    }
    return child;
  }

  /**
   * Observes `at - requestAt` for the DVM, with the job's trace id as exemplar. A negative difference
   * (a response signed before its request) is counted as clock skew and observed as 0.
   */
  latency(
    name: string,
    histogram: Histogram<'kind' | 'dvm'>,
    job: JobSnapshot,
    kind: string,
    dvm: string,
    at: number,
    requestAt: number,
  ): void {
    let value = at - requestAt;
    if (value < 0) {
      this.m.clockSkew.inc();
      value = 0;
    }
    const label = this.dvms.claim(dvm, name, at);
    const child = this.tracked(name, this.childrenOf(histogram, { kind }).child(kind, label, undefined));
    const labels = child.labels as LabelValues<'kind' | 'dvm'>;
    if (this.m.exemplars) {
      // prom-client types exemplar labels like the metric's own labels; `traceId` is what it expects here.
      const exemplarLabels = exemplarFor(job) as unknown as LabelValues<'kind' | 'dvm'>;
      histogram.observe({ labels, value, exemplarLabels });
    } else {
      histogram.observe(labels, value);
    }
  }

  /**
   * The evidence record of a DVM, labelling it if needed; null past the cap, and for a DVM not yet
   * labelled whose event is older than the idle time (it would be removed again at once). A fold into
   * `__other__` is counted against `metric`, unless null.
   */
  evidenceFor(dvm: string, at: number, metric: string | null): DvmEvidence | null {
    if (!this.dvms.has(dvm) && this.time.expiresIdle && at < this.time.now() - this.idleSeconds) return null;
    return this.dvms.claim(dvm, metric, at) === OTHER_DVM ? null : (this.dvms.evidence(dvm) ?? null);
  }

  /** A result or feedback from the DVM. Evidence only: the counter written for it counts any fold. */
  noteResponse(dvm: string, at: number, isResult: boolean): void {
    const evidence = this.evidenceFor(dvm, at, null);
    if (!evidence) return;
    evidence.lastSeenAt = Math.max(evidence.lastSeenAt ?? 0, at);
    if (isResult) evidence.lastResultAt = Math.max(evidence.lastResultAt ?? 0, at);
  }

  /** A NIP-89 announcement: the DVM's name, and a label for it if it is recent. */
  announce(dvm: string, name: string | null, at: number, metric: string): void {
    this.names.announce(dvm, name, at);
    this.evidenceFor(dvm, at, metric);
  }

  /** A request created at `requestAt` and addressed to the DVM went unanswered. */
  noteUnanswered(dvm: string, requestAt: number): void {
    const evidence = this.dvms.evidence(dvm);
    if (evidence) evidence.lastUnansweredAt = Math.max(evidence.lastUnansweredAt ?? 0, requestAt);
  }

  /** The label of a `p` tag: a DVM only if it was seen acting as one (or is allowlisted). */
  targetLabel(target: string, metric: string, at: number): string {
    return this.dvms.has(target) || this.names.has(target)
      ? this.dvms.claim(target, metric, at)
      : UNKNOWN_DVM;
  }

  /** Forgets the discovered DVMs idle since before `now - idle time`; returns how many. */
  forgetIdle(now: number): number {
    let forgotten = 0;
    for (const dvm of this.dvms.idleBefore(now - this.idleSeconds)) if (this.dvms.forget(dvm)) forgotten++;
    return forgotten;
  }
}
