import type { EvictionReason, OrphanReason } from './domain-events.js';

export interface InFlightKind {
  readonly count: number;
  /** created_at of the oldest open request of this kind. */
  readonly oldestCreatedAt: number;
}

export interface JobIndexStats {
  /** Jobs held now (placeholders included). */
  readonly jobsTracked: number;
  /** Jobs ever created: every request id the index opened a job for, placeholders included (a placeholder
   * that later meets its request counts once; a job evicted and seen again counts again). */
  readonly jobsTotal: number;
  /** Tracked jobs that have not settled or expired. */
  readonly openJobs: number;
  /** Tracked jobs built from early responses whose request is still unseen. */
  readonly placeholders: number;
  readonly evictions: Record<EvictionReason, number>;
  readonly orphans: Record<OrphanReason, number>;
  /** Results whose kind is not their request's kind + 1000 (still linked). */
  readonly kindMismatches: number;
  /** Feedback, results and cancellations that arrived after their job settled or expired. */
  readonly lateEvents: number;
  /** Open jobs with a known request, by request kind. */
  readonly inFlight: ReadonlyMap<number, InFlightKind>;
  /** Events left out of snapshots by the per-job limits (JOB_LIMITS); they still reached the sinks. */
  readonly overflow: {
    readonly feedback: number;
    readonly results: number;
    /** Responses from DVMs past the per-job DVM cap. */
    readonly responses: number;
    /** Early cancellations dropped (cap, horizon, per-target limit) before their request arrived. */
    readonly cancellations: number;
  };
  /** Sizes of the auxiliary indexes, each bounded by the job cap and horizon. */
  readonly indexSizes: {
    /** Result/feedback event id -> job, for zap attribution. */
    readonly responseIds: number;
    /** Unseen parents that tracked requests name as job inputs. */
    readonly pendingChainParents: number;
    /** Unseen requests that cancellations name. */
    readonly pendingCancellations: number;
    /** Open jobs with a scheduled deadline. */
    readonly deadlines: number;
  };
}

export function zeroEvictions(): Record<EvictionReason, number> {
  return { cap: 0, age: 0 };
}

export function zeroOrphans(): Record<OrphanReason, number> {
  return { no_e_tag: 0, request_unseen: 0, job_input_unseen: 0, zap_target_unseen: 0 };
}
