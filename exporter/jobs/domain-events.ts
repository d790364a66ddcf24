import type {
  Cancellation,
  DvmAnnouncement,
  DvmEvent,
  FeedbackStatus,
  Heartbeat,
  JobFeedback,
  JobRequest,
  JobResult,
  PaymentAmount,
  Recommendation,
  ZapReceipt,
} from '../model/dvm-event.js';
import type { RequestFacts } from './request-facts.js';

/**
 * Domain events: what the job index tells the sinks. Every sink (metrics, ClickHouse, traces)
 * subscribes to this one stream, so `replay` and `run` produce the same outputs.
 *
 * Snapshots passed in these events are read-only views of the index's state, valid for the duration
 * of the handler call; a sink that keeps data beyond the call copies what it needs.
 */

/** How a job ended. */
export type JobOutcome = 'success' | 'error' | 'cancelled' | 'expired';

/** Why the index forgot a job before it would have on its own. */
export type EvictionReason = 'cap' | 'age';

/** Why a result, feedback or zap could not be attached to a known job. */
export type OrphanReason =
  /** A result or feedback with no usable `e` tag: it can never be linked. */
  | 'no_e_tag'
  /** The request was not seen (yet); the response waits in a placeholder job. */
  | 'request_unseen'
  /** A `job` input names a request the index has not seen. */
  | 'job_input_unseen'
  /** A zap receipt whose target is not a known job event. */
  | 'zap_target_unseen';

/** One DVM's part in one job: keyed by (request, DVM). */
export interface DvmResponseSnapshot {
  readonly dvm: string;
  /**
   * Every feedback event from this DVM for this job, by created_at. Deduplicated by event id. Capped
   * (JOB_LIMITS in jobs/options.ts); events past the cap are still emitted and counted in stats().overflow.
   */
  readonly feedback: readonly JobFeedback[];
  /** Every result from this DVM for this job, by created_at (the first counts). Capped like `feedback`. */
  readonly results: readonly JobResult[];
  readonly firstFeedbackAt: number | null;
  readonly firstResultAt: number | null;
  /** min(firstFeedbackAt, firstResultAt). */
  readonly firstResponseAt: number | null;
  /** Status of the newest feedback; `success` when a result arrived with no feedback. */
  readonly lastStatus: FeedbackStatus | null;
  /** The first payment-required amount this DVM asked for on this job. */
  readonly paymentRequested: PaymentAmount | null;
  /** Set once the DVM asked for payment and later delivered a result (the earned estimate). */
  readonly earnedMsat: number | null;
}

export interface JobSnapshot {
  /** The request's event id. */
  readonly id: string;
  /** Request kind; from a result (kind - 1000) while the request itself is unseen; null if unknown. */
  readonly kind: number | null;
  /** What is kept of the request, or null while the job is a placeholder built from early responses. */
  readonly request: RequestFacts | null;
  readonly customer: string | null;
  readonly createdAt: number | null;
  readonly encrypted: boolean;
  /** Ids of the jobs this one builds on (job inputs). */
  readonly parentIds: readonly string[];
  /** The root of the chain as currently known (itself when it has no known parent). */
  readonly rootId: string;
  readonly responses: ReadonlyMap<string, DvmResponseSnapshot>;
  readonly cancellation: Cancellation | null;
  /** Null while open. */
  readonly outcome: JobOutcome | null;
  /** created_at-based time the job settled or expired; null while open. */
  readonly endedAt: number | null;
}

interface Base<T extends string> {
  readonly type: T;
  /** Clock time (seconds) at which the index emitted the event. */
  readonly at: number;
}

/** Every accepted event, before any job logic: the raw history (ClickHouse `events`, last-seen). */
export interface EventAccepted extends Base<'event_accepted'> {
  readonly event: DvmEvent;
  /** Relay that delivered the first copy; null for file input. */
  readonly relay: string | null;
  readonly receivedAt: number;
}

/** A further copy of an accepted event from another relay (relay coverage). */
export interface EventSighted extends Base<'event_sighted'> {
  readonly id: string;
  readonly relay: string | null;
  readonly receivedAt: number;
}

export interface JobRequested extends Base<'job_requested'> {
  readonly job: JobSnapshot;
  readonly request: JobRequest;
}

export interface JobFeedbackReceived extends Base<'job_feedback'> {
  readonly job: JobSnapshot;
  readonly response: DvmResponseSnapshot;
  readonly feedback: JobFeedback;
  /** True when this is the DVM's first response (feedback or result) on the job. */
  readonly firstResponse: boolean;
}

export interface JobResultReceived extends Base<'job_result'> {
  readonly job: JobSnapshot;
  readonly response: DvmResponseSnapshot;
  readonly result: JobResult;
  /** True for this DVM's first result on the job: durations count only this one. */
  readonly firstResult: boolean;
  readonly firstResponse: boolean;
}

/** A DVM that asked for payment then delivered: taken as paid, once per (job, DVM). */
export interface PaymentEarned extends Base<'payment_earned'> {
  readonly job: JobSnapshot;
  readonly dvm: string;
  readonly msat: number;
  readonly source: 'invoice' | 'tag';
}

export interface JobCancelled extends Base<'job_cancelled'> {
  readonly job: JobSnapshot;
  readonly cancellation: Cancellation;
}

/** A kind 5 that names a known request but comes from someone other than its author. */
export interface CancellationRejected extends Base<'cancellation_rejected'> {
  readonly jobId: string;
  readonly cancellation: Cancellation;
}

/** The job reached an outcome (success after the settle window, error, cancelled). */
export interface JobSettled extends Base<'job_settled'> {
  readonly job: JobSnapshot;
  readonly outcome: Exclude<JobOutcome, 'expired'>;
}

/** The job got no result within the expiry timeout. */
export interface JobExpired extends Base<'job_expired'> {
  readonly job: JobSnapshot;
}

/** An event for a job that already settled or expired: it still reaches the sinks. */
export interface LateEvent extends Base<'late_event'> {
  readonly job: JobSnapshot;
  readonly event: JobFeedback | JobResult | Cancellation;
}

/** A chain edge: `child` has a `job` input naming `parent`. Emitted once per edge, whichever end came first. */
export interface ChainLinked extends Base<'chain_linked'> {
  readonly parentId: string;
  readonly childId: string;
  /**
   * The child's root as known now (its first linked job input, in tag order, decides it). When the
   * child joins several chains, a parent other than its first input may have a different root; a later
   * arrival higher up can also move the root: the snapshots in job events always carry the current one.
   */
  readonly rootId: string;
}

export interface DvmAnnounced extends Base<'dvm_announced'> {
  readonly announcement: DvmAnnouncement;
}

export interface DvmRecommended extends Base<'dvm_recommended'> {
  readonly recommendation: Recommendation;
}

export interface HeartbeatReceived extends Base<'heartbeat'> {
  readonly heartbeat: Heartbeat;
}

export interface ZapReceived extends Base<'zap'> {
  readonly zap: ZapReceipt;
  /** The job whose result or feedback was zapped, when known. */
  readonly jobId: string | null;
  readonly dvm: string | null;
}

export interface OrphanEvent extends Base<'orphan'> {
  readonly event: DvmEvent;
  readonly reason: OrphanReason;
}

/** A result whose kind is not its request's kind + 1000: counted, not dropped. */
export interface KindMismatch extends Base<'kind_mismatch'> {
  readonly job: JobSnapshot;
  readonly result: JobResult;
}

export interface JobEvicted extends Base<'job_evicted'> {
  readonly jobId: string;
  readonly reason: EvictionReason;
  /** Whether the job was still open (never settled) when evicted. */
  readonly wasOpen: boolean;
}

export type DomainEvent =
  | EventAccepted
  | EventSighted
  | JobRequested
  | JobFeedbackReceived
  | JobResultReceived
  | PaymentEarned
  | JobCancelled
  | CancellationRejected
  | JobSettled
  | JobExpired
  | LateEvent
  | ChainLinked
  | DvmAnnounced
  | DvmRecommended
  | HeartbeatReceived
  | ZapReceived
  | OrphanEvent
  | KindMismatch
  | JobEvicted;

export type DomainEventType = DomainEvent['type'];

/** Ends a switch over domain events, so that a new event type is a compile error in each sink until handled. */
export function unhandledEvent(event: never): never {
  throw new Error(`unhandled domain event: ${(event as { type?: unknown }).type}`);
}

/** Re-exported so sinks import event shapes from one place. */
export type { RequestFacts } from './request-facts.js';
export type { DvmAnnouncement, DvmEvent, Heartbeat, JobFeedback, JobRequest, JobResult, ZapReceipt };
