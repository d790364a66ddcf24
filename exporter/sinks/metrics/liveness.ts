import type { DvmEvidence } from './dvm-labels.js';

/**
 * Liveness from evidence. A DVM that is merely idle is not down: it is down when jobs addressed to it
 * go unanswered, or when it used to send heartbeats (kind 11998) and stopped while answering nothing.
 */

export const DVM_STATES = ['alive', 'degraded', 'silent', 'dead', 'zombie'] as const;
export type DvmState = (typeof DVM_STATES)[number];

export interface LivenessOptions {
  /** A beat older than this is gone (Amethyst: 900 s is alive, 901 s is not). */
  readonly heartbeatTimeoutSeconds: number;
  /** No result, feedback or beat for this long: `silent` (idle, not down). */
  readonly silentSeconds: number;
}

/**
 * - `degraded`: still beating, but a request addressed to it went unanswered and it has answered
 *   nothing since that request was made;
 * - `dead`: not answering without a fresh beat, or its beats stopped and it answered nothing since;
 * - `zombie`: no result, feedback or beat seen at all (announced, or only addressed);
 * - `silent`: nothing recent, no evidence of trouble;
 * - `alive`: recent results, feedback or beats.
 */
export function dvmState(evidence: DvmEvidence, now: number, options: LivenessOptions): DvmState {
  const { lastSeenAt, lastHeartbeatAt, lastUnansweredAt } = evidence;
  const beating = lastHeartbeatAt !== null && now - lastHeartbeatAt <= options.heartbeatTimeoutSeconds;
  const notAnswering = lastUnansweredAt !== null && (lastSeenAt === null || lastSeenAt < lastUnansweredAt);
  if (notAnswering) return beating ? 'degraded' : 'dead';
  const beatsStopped = lastHeartbeatAt !== null && !beating;
  if (beatsStopped && (lastSeenAt === null || now - lastSeenAt > options.heartbeatTimeoutSeconds))
    return 'dead';
  if (lastSeenAt === null && lastHeartbeatAt === null) return 'zombie';
  const newest = Math.max(lastSeenAt ?? 0, lastHeartbeatAt ?? 0);
  return now - newest <= options.silentSeconds ? 'alive' : 'silent';
}

/** `dvm_up`: 0 only on evidence of trouble. */
export function isUp(state: DvmState): boolean {
  return state !== 'dead' && state !== 'degraded';
}

/** A request addressed (`p` tag) to a DVM, waiting for that DVM's first feedback or result. */
export interface PendingAnswer {
  readonly jobId: string;
  readonly dvm: string;
  /** `kind` label of the request. */
  readonly kind: string;
  readonly requestAt: number;
  readonly deadline: number;
}

/**
 * Addressed requests not answered yet, by job. Bounded: past `capacity` the oldest job's entries are
 * dropped (and counted by the caller through `dropped`).
 */
export class PendingAnswers {
  /** A job's entries in the order added: at most MAX_TARGETS_PER_REQUEST, and an array costs a fraction of a Map. */
  private readonly byJob = new Map<string, PendingAnswer[]>();
  private count = 0;
  dropped = 0;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.count;
  }

  add(entry: PendingAnswer): void {
    if (this.byJob.get(entry.jobId)?.some((known) => known.dvm === entry.dvm)) return;
    while (this.count >= this.capacity && this.byJob.size > 0) {
      const oldest = this.byJob.keys().next().value as string;
      this.dropped += this.dropJob(oldest);
    }
    // Looked up after the loop, which may have dropped this very job.
    const waiting = this.byJob.get(entry.jobId);
    // A literal, not push onto []: the first push reserves 17 slots.
    if (waiting) waiting.push(entry);
    else this.byJob.set(entry.jobId, [entry]);
    this.count++;
  }

  /** The DVM answered the job: no longer pending. */
  answer(jobId: string, dvm: string): void {
    const waiting = this.byJob.get(jobId);
    const index = waiting?.findIndex((entry) => entry.dvm === dvm) ?? -1;
    if (waiting === undefined || index < 0) return;
    waiting.splice(index, 1);
    this.count--;
    if (waiting.length === 0) this.byJob.delete(jobId);
  }

  /** Removes and returns every entry of the job. */
  takeJob(jobId: string): PendingAnswer[] {
    const waiting = this.byJob.get(jobId);
    if (!waiting) return [];
    this.byJob.delete(jobId);
    this.count -= waiting.length;
    return waiting;
  }

  /** Forgets the job's entries; returns how many there were. */
  dropJob(jobId: string): number {
    return this.takeJob(jobId).length;
  }

  /** Removes and returns the entries whose deadline is at or before `now`. */
  takeDue(now: number): PendingAnswer[] {
    const due: PendingAnswer[] = [];
    // Deleting the entry being visited is safe while iterating a Map.
    for (const [jobId, waiting] of this.byJob) {
      let kept = 0;
      for (const entry of waiting) {
        if (entry.deadline > now) waiting[kept++] = entry;
        else due.push(entry);
      }
      waiting.length = kept;
      if (kept === 0) this.byJob.delete(jobId);
    }
    this.count -= due.length;
    return due;
  }
}

/** Statuses of a DVM working on a job: a job left in them too long is stuck. */
const WORKING_STATUSES: ReadonlySet<string> = new Set(['processing', 'partial']);

export function isWorkingStatus(status: string | null): boolean {
  return status !== null && WORKING_STATUSES.has(status);
}

/**
 * Jobs a DVM said it is working on (`processing`, `partial`) with no result yet, while the job is open.
 * Entries leave when the DVM delivers or changes status, and when the job ends or is evicted.
 */
export class JobsInProgress {
  private readonly byJob = new Map<string, Map<string, number>>();
  private count = 0;
  dropped = 0;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.count;
  }

  /** Sets whether `dvm` is working on the job, since `since` (kept from the first working status). */
  update(jobId: string, dvm: string, working: boolean, since: number): void {
    let dvms = this.byJob.get(jobId);
    if (!working) {
      if (dvms?.delete(dvm)) {
        this.count--;
        if (dvms.size === 0) this.byJob.delete(jobId);
      }
      return;
    }
    if (dvms?.has(dvm)) return;
    while (this.count >= this.capacity && this.byJob.size > 0) {
      const oldest = this.byJob.keys().next().value as string;
      this.dropped += this.endJob(oldest);
    }
    if (!dvms) {
      dvms = new Map();
      this.byJob.set(jobId, dvms);
    }
    dvms.set(dvm, since);
    this.count++;
  }

  /** Forgets the job; returns how many entries it had. */
  endJob(jobId: string): number {
    const dvms = this.byJob.get(jobId);
    if (!dvms) return 0;
    this.byJob.delete(jobId);
    this.count -= dvms.size;
    return dvms.size;
  }

  /** Per DVM: how many jobs it is working on, and since when the oldest. */
  byDvm(): Map<string, { count: number; oldestSince: number }> {
    const out = new Map<string, { count: number; oldestSince: number }>();
    for (const dvms of this.byJob.values()) {
      for (const [dvm, since] of dvms) {
        const entry = out.get(dvm);
        if (entry) {
          entry.count++;
          entry.oldestSince = Math.min(entry.oldestSince, since);
        } else {
          out.set(dvm, { count: 1, oldestSince: since });
        }
      }
    }
    return out;
  }
}
