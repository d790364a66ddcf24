import { ChainLinks } from './chain-links.js';
import { DeadlineHeap } from './deadline-heap.js';
import type { DomainEvent, EvictionReason, JobOutcome } from './domain-events.js';
import { Job } from './job-state.js';
import type { JobIndexOptions } from './options.js';
import { PendingCancellations } from './pending-cancellations.js';
import { RecencyMap } from './recency-map.js';
import { Interner } from './request-facts.js';
import type { DvmResponse } from './response-state.js';
import { dueOutcome, expiryDeadline, nextDeadline } from './settlement.js';
import { type InFlightKind, type JobIndexStats, zeroEvictions, zeroOrphans } from './stats.js';

/** Distinct strings shared through the interner; past it, sharing starts over (see Interner). */
const STRINGS_KEPT = 65_536;

/** Where the index's domain events go, stamped with the clock time of the call in progress. */
export class Emitter {
  /** Clock seconds of the current apply/tick/drain: the `at` of everything it emits. */
  now = 0;
  constructor(readonly emit: (event: DomainEvent) => void) {}
}

/**
 * The jobs and everything kept beside them: the deadline heap, chain links, the response-id index and
 * early cancellations. Owns the job life cycle (create, settle, evict) and the counters, so that every
 * auxiliary index is cleaned up in one place when a job leaves.
 */
export class JobStore {
  /** By last activity, least recent first: the cap and the horizon evict from the front. */
  private readonly jobs = new RecencyMap<Job>();
  private readonly deadlines = new DeadlineHeap<Job>();
  readonly chains = new ChainLinks(this.jobs);
  readonly pendingCancellations: PendingCancellations;
  /** Result/feedback event id -> its response, so a zap receipt finds the job and DVM it paid. */
  readonly responseIds = new Map<string, DvmResponse>();
  readonly orphans = zeroOrphans();
  readonly overflow = { feedback: 0, results: 0, responses: 0 };
  readonly anomalies = { kindMismatches: 0, lateEvents: 0 };
  /** Pubkeys and output types held by jobs, one copy each. */
  readonly strings = new Interner(STRINGS_KEPT);
  private readonly evictions = zeroEvictions();
  private nextSeq = 0;
  private jobsTotal = 0;
  private openJobs = 0;
  private placeholders = 0;

  constructor(
    private readonly options: JobIndexOptions,
    private readonly out: Emitter,
  ) {
    this.pendingCancellations = new PendingCancellations(options.maxJobs);
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  /** Records activity on the job, which keeps it from the cap and the horizon. */
  touch(job: Job): void {
    this.jobs.touch(job.id, this.out.now);
  }

  /** A new open placeholder job (no request yet), evicting the least recently active job at the cap. */
  create(id: string): Job {
    if (this.jobs.size >= this.options.maxJobs) {
      const oldest = this.jobs.oldest();
      if (oldest) this.evict(oldest.value, 'cap');
    }
    const job = new Job(id, this.nextSeq++, this.out.now);
    this.jobs.set(id, job, this.out.now);
    this.jobsTotal++;
    this.openJobs++;
    this.placeholders++;
    job.expireAt = expiryDeadline(job, this.options);
    this.deadlines.schedule(job, job.expireAt);
    return job;
  }

  /** The placeholder met its request. */
  requestAttached(): void {
    this.placeholders--;
  }

  /** Moves the job's deadline after its state changed. */
  reschedule(job: Job): void {
    if (job.open) this.deadlines.schedule(job, nextDeadline(job));
  }

  finish(job: Job, outcome: JobOutcome, endedAt: number): void {
    job.outcome = outcome;
    job.endedAt = endedAt;
    this.deadlines.remove(job);
    this.openJobs--;
    const at = this.out.now;
    if (outcome === 'expired') this.out.emit({ type: 'job_expired', at, job });
    else this.out.emit({ type: 'job_settled', at, job, outcome });
  }

  /** Settles everything due by `now`, then forgets what went quiet beyond the horizon. O(due work). */
  advance(now: number): void {
    for (let job = this.deadlines.peek(); job && job.deadline <= now; job = this.deadlines.peek()) {
      this.deadlines.pop();
      this.settleDue(job, now);
    }
    const cutoff = now - this.options.horizonSeconds;
    for (let oldest = this.jobs.oldest(); oldest && oldest.at < cutoff; oldest = this.jobs.oldest()) {
      this.evict(oldest.value, 'age');
    }
    this.pendingCancellations.expire(cutoff);
  }

  /** Settles or expires every open job in deadline order, each at its own deadline. */
  settleAll(): void {
    for (let job = this.deadlines.pop(); job; job = this.deadlines.pop()) this.settleDue(job, job.deadline);
  }

  stats(): JobIndexStats {
    const inFlight = new Map<number, InFlightKind>();
    for (const job of this.jobs.values()) {
      if (!job.open || job.request === null) continue;
      const { kind, createdAt } = job.request;
      const entry = inFlight.get(kind);
      inFlight.set(kind, {
        count: (entry?.count ?? 0) + 1,
        oldestCreatedAt: entry ? Math.min(entry.oldestCreatedAt, createdAt) : createdAt,
      });
    }
    return {
      jobsTracked: this.jobs.size,
      jobsTotal: this.jobsTotal,
      openJobs: this.openJobs,
      placeholders: this.placeholders,
      evictions: { ...this.evictions },
      orphans: { ...this.orphans },
      ...this.anomalies,
      inFlight,
      overflow: { ...this.overflow, cancellations: this.pendingCancellations.dropped },
      indexSizes: {
        responseIds: this.responseIds.size,
        pendingChainParents: this.chains.pendingParents,
        pendingCancellations: this.pendingCancellations.size,
        deadlines: this.deadlines.size,
      },
    };
  }

  /** A popped deadline: settle or expire if due at `time`, otherwise schedule the next one. */
  private settleDue(job: Job, time: number): void {
    const due = dueOutcome(job, time, this.options);
    if (due) {
      this.finish(job, due.outcome, due.endedAt);
      return;
    }
    // Not due: a pending error no longer holds. Clearing it guarantees the next deadline is later.
    if (job.errorAt !== null && job.errorAt <= time) job.errorAt = null;
    this.reschedule(job);
  }

  private evict(job: Job, reason: EvictionReason): void {
    this.jobs.delete(job.id);
    this.deadlines.remove(job);
    const wasOpen = job.open;
    if (wasOpen) this.openJobs--;
    if (job.request === null) this.placeholders--;
    for (const response of job.responses.values()) {
      for (const { event } of response.feedback) this.forgetResponseId(event.id, response);
      for (const { event } of response.results) this.forgetResponseId(event.id, response);
    }
    this.chains.forget(job);
    this.evictions[reason]++;
    this.out.emit({ type: 'job_evicted', at: this.out.now, jobId: job.id, reason, wasOpen });
  }

  private forgetResponseId(id: string, response: DvmResponse): void {
    if (this.responseIds.get(id) === response) this.responseIds.delete(id);
  }
}
