import { type Clock, systemClock } from '../base/clock.js';
import type { DomainEvent } from '../jobs/domain-events.js';
import { DEFAULT_JOB_INDEX_OPTIONS, JobIndex, type JobIndexOptions } from '../jobs/job-index.js';
import { classify } from '../model/classify.js';
import type { DvmEvent } from '../model/dvm-event.js';
import type { NostrEvent } from '../model/nostr-event.js';
import type { IngestOutcome } from '../model/reasons.js';
import {
  checkEventShape,
  DEFAULT_SHAPE_LIMITS,
  parseEventText,
  type ShapeLimits,
  type ShapeResult,
} from '../model/validate.js';
import { type EventVerifier, idMatchesContent, type VerifyVerdict } from '../model/verify.js';
import { DomainEventBus } from './bus.js';
import { ProbeTraffic } from './probe-traffic.js';
import { SeenIds } from './seen-ids.js';
import type { Sink } from './sink.js';
import { type IngestSummary, SummaryCounter } from './summary.js';

export interface PipelineOptions {
  readonly shapeLimits: ShapeLimits;
  readonly jobIndex: JobIndexOptions;
  /** How many verified ids to remember for cross-relay dedup. */
  readonly seenIdCapacity: number;
  /** This exporter's probe keys: answers naming them are probe traffic even before their request is seen. */
  readonly probeKeys?: readonly string[];
}

export const DEFAULT_PIPELINE_OPTIONS: PipelineOptions = {
  shapeLimits: DEFAULT_SHAPE_LIMITS,
  jobIndex: DEFAULT_JOB_INDEX_OPTIONS,
  seenIdCapacity: 200_000,
};

export interface PipelineDeps {
  readonly verifier: EventVerifier;
  /** Drives job logic (settle windows, expiry). Replay passes an EventTimeClock. */
  readonly clock: Clock;
  /** Judges created_at against the present (future_created_at); the real clock unless a test says otherwise. */
  readonly wallClock?: Clock;
  readonly sinks?: readonly Sink[];
  readonly onSinkError?: (sink: string, error: unknown) => void;
}

/** Where an input came from: the relay URL (null for files) and when it arrived (wall-clock seconds). */
export interface InputOrigin {
  readonly relay: string | null;
  readonly receivedAt?: number;
}

/** An input screened before verification: already decided, a copy of a known id, or awaiting its verdict. */
export type Screened = ScreenedDecided | ScreenedCopy | ScreenedVerify;

export interface ScreenedDecided {
  readonly type: 'decided';
  readonly outcome: IngestOutcome;
}

export interface ScreenedCopy {
  readonly type: 'copy';
  readonly event: NostrEvent;
  readonly relay: string | null;
  readonly receivedAt: number;
}

export interface ScreenedVerify {
  readonly type: 'verify';
  readonly event: DvmEvent;
  readonly relay: string | null;
  readonly receivedAt: number;
}

/**
 * The one pipeline behind both `replay` and `run`: shape check, dedup by verified id, classification,
 * signature verification, then the job index, whose domain events fan out to the sinks.
 * Synchronous per event; the sinks do their I/O in the background.
 */
export class Pipeline {
  readonly bus: DomainEventBus;
  readonly jobs: JobIndex;
  private readonly seen: SeenIds;
  private readonly summary = new SummaryCounter();
  private readonly wallClock: Clock;
  private readonly probes: ProbeTraffic;

  constructor(
    private readonly deps: PipelineDeps,
    private readonly options: PipelineOptions = DEFAULT_PIPELINE_OPTIONS,
  ) {
    this.wallClock = deps.wallClock ?? systemClock;
    this.bus = new DomainEventBus(deps.onSinkError);
    for (const sink of deps.sinks ?? []) this.bus.addSink(sink);
    this.seen = new SeenIds(options.seenIdCapacity);
    this.probes = new ProbeTraffic(options.probeKeys ?? []);
    this.jobs = new JobIndex(options.jobIndex, deps.clock, (event) => this.bus.publish(event));
  }

  /** Offers one event given as JSON text (a file line, a bare event). */
  ingestText(text: string, origin: InputOrigin): IngestOutcome {
    const now = this.wallClock.now();
    return this.admit(parseEventText(text, this.options.shapeLimits, now), origin, now);
  }

  /** Offers one already-parsed event (from a relay frame) whose serialized size is known. */
  ingestValue(value: unknown, sizeBytes: number, origin: InputOrigin): IngestOutcome {
    const now = this.wallClock.now();
    return this.admit(checkEventShape(value, sizeBytes, this.options.shapeLimits, now), origin, now);
  }

  /** Counts an input that could not even be read as JSON (e.g. a broken relay frame). */
  rejectUnreadable(detail: string): IngestOutcome {
    return this.record({ status: 'rejected', reason: 'bad_json', detail });
  }

  /** Counts an input dropped unread because it exceeds the event size limit. */
  rejectOversized(sizeBytes: number): IngestOutcome {
    return this.apply(this.screenOversized(sizeBytes));
  }

  screenOversized(sizeBytes: number): Screened {
    const limit = this.options.shapeLimits.maxEventBytes;
    return {
      type: 'decided',
      outcome: { status: 'rejected', reason: 'too_large', detail: `${sizeBytes} bytes > ${limit}` },
    };
  }

  get maxEventBytes(): number {
    return this.options.shapeLimits.maxEventBytes;
  }

  get shapeLimits(): ShapeLimits {
    return this.options.shapeLimits;
  }

  /** The wall clock that judges created_at (future_created_at). */
  now(): number {
    return this.wallClock.now();
  }

  /** Name of the signature verifier this pipeline applies (build info, startup log). */
  get verifierName(): string {
    return this.deps.verifier.name;
  }

  /** Time-driven job work (settle windows, expiry, eviction). `run` calls it every second. */
  tick(): void {
    this.jobs.tick();
  }

  /** End of a finite input: settles or expires every open job so all sinks see final outcomes. */
  drain(): void {
    this.jobs.drain();
  }

  subscribe(listener: (event: DomainEvent) => void): void {
    this.bus.listen(listener);
  }

  /** Totals for the `replay --json` summary. */
  summaryTotals(): IngestSummary {
    return this.summary.snapshot(this.jobs.stats().jobsTotal);
  }

  get seenIds(): number {
    return this.seen.size;
  }

  /** Resolves when the first saturated sink can take more, or null when none is saturated. */
  capacity(): Promise<void> | null {
    const waits = this.bus.registered.map((sink) => sink.capacity?.() ?? null).filter((w) => w !== null);
    return waits.length === 0 ? null : Promise.all(waits).then(() => undefined);
  }

  healthy(): boolean {
    return this.bus.registered.every((sink) => sink.healthy?.() ?? true);
  }

  /** One line per sink that is unhealthy or falling behind, prefixed with its name. */
  sinkProblems(): string[] {
    const problems: string[] = [];
    for (const sink of this.bus.registered) {
      const problem = sink.problem?.() ?? ((sink.healthy?.() ?? true) ? null : 'unhealthy');
      if (problem !== null) problems.push(`${sink.name}: ${problem}`);
    }
    return problems;
  }

  async flush(): Promise<void> {
    await Promise.all(this.bus.registered.map((sink) => sink.flush()));
  }

  /**
   * The first half of admitting an event, everything decidable before its signature is checked: the
   * shape, whether its id is known (verified before, or `pending`: in flight), and its classification.
   * Changes no state, so a caller may screen events ahead of applying earlier ones, as the worker
   * threads' dispatcher does.
   */
  screen(shape: ShapeResult, origin: InputOrigin, now: number, pending?: (id: string) => boolean): Screened {
    if (!shape.ok) {
      const rejected: IngestOutcome = { status: 'rejected', reason: shape.reason, detail: shape.detail };
      return { type: 'decided', outcome: shape.id === undefined ? rejected : { ...rejected, id: shape.id } };
    }
    const event = shape.event;
    const receivedAt = origin.receivedAt ?? now;
    // peek, not has: recency is refreshed when the copy is applied, in input order.
    if (this.seen.peek(event.id) || pending?.(event.id) === true) {
      return { type: 'copy', event, relay: origin.relay, receivedAt };
    }
    // Classification is cheap and pure, so junk kinds are turned away before the costly signature check.
    const classified = classify(event);
    if (!classified.ok) {
      const { reason, detail } = classified;
      return { type: 'decided', outcome: { status: 'rejected', reason, id: event.id, detail } };
    }
    return { type: 'verify', event: classified.event, relay: origin.relay, receivedAt };
  }

  /**
   * The second half: applies a screened event given its verdict (for `verify`), in input order. A `copy`
   * is decided here as if it had just arrived: a duplicate of a verified id, or (its first copy failed,
   * or fell out of the seen ids) verified on this thread.
   */
  apply(screened: Screened, verdict?: VerifyVerdict): IngestOutcome {
    switch (screened.type) {
      case 'decided':
        return this.record(screened.outcome);
      case 'copy':
        return this.applyCopy(screened);
      case 'verify':
        return this.applyVerdict(screened, verdict ?? this.deps.verifier.check(screened.event.event));
    }
  }

  private admit(shape: ShapeResult, origin: InputOrigin, now: number): IngestOutcome {
    return this.apply(this.screen(shape, origin, now));
  }

  private applyCopy(copy: ScreenedCopy): IngestOutcome {
    const event = copy.event;
    if (this.seen.has(event.id)) {
      // A copy of a verified id skips the signature check but not the hash: an edited copy that kept
      // the id and signature of the original is still caught.
      if (!idMatchesContent(event)) {
        return this.record({
          status: 'rejected',
          reason: 'bad_id',
          id: event.id,
          detail: verdictDetail(event, 'bad_id'),
        });
      }
      this.bus.publish({
        type: 'event_sighted',
        at: this.deps.clock.now(),
        id: event.id,
        relay: copy.relay,
        receivedAt: copy.receivedAt,
      });
      return this.record({ status: 'duplicate', id: event.id });
    }
    const classified = classify(event);
    if (!classified.ok) {
      const { reason, detail } = classified;
      return this.record({ status: 'rejected', reason, id: event.id, detail });
    }
    const screened: ScreenedVerify = {
      type: 'verify',
      event: classified.event,
      relay: copy.relay,
      receivedAt: copy.receivedAt,
    };
    return this.applyVerdict(screened, this.deps.verifier.check(event));
  }

  private applyVerdict(screened: ScreenedVerify, verdict: VerifyVerdict): IngestOutcome {
    const dvmEvent = screened.event;
    const event = dvmEvent.event;
    if (verdict !== 'ok') {
      return this.record({
        status: 'rejected',
        reason: verdict,
        id: event.id,
        detail: verdictDetail(event, verdict),
      });
    }
    // After verification, so nobody can hide someone else's traffic by forging a marker.
    const probe = this.probes.check(dvmEvent);
    if (probe !== null) {
      return this.record({ status: 'rejected', reason: 'probe_traffic', id: event.id, detail: probe });
    }
    this.seen.add(event.id);
    this.deps.clock.observe?.(event.created_at);
    this.bus.publish({
      type: 'event_accepted',
      at: this.deps.clock.now(),
      event: dvmEvent,
      relay: screened.relay,
      receivedAt: screened.receivedAt,
    });
    this.jobs.apply(dvmEvent);
    return this.record({ status: 'accepted', id: event.id, role: dvmEvent.role });
  }

  private record(outcome: IngestOutcome): IngestOutcome {
    this.summary.record(outcome);
    return outcome;
  }
}

function verdictDetail(event: NostrEvent, verdict: 'bad_id' | 'bad_sig'): string {
  return verdict === 'bad_id'
    ? `id ${event.id.slice(0, 12)}… is not the hash of the event`
    : `signature does not verify for pubkey ${event.pubkey.slice(0, 12)}…`;
}
