import type { Cancellation, JobFeedback, JobRequest, JobResult } from '../model/dvm-event.js';
import type { Scheduled } from './deadline-heap.js';
import type { JobOutcome, JobSnapshot } from './domain-events.js';
import { type Interner, type RequestFacts, requestFactsOf } from './request-facts.js';
import { type AddOutcome, DvmResponse } from './response-state.js';

const NO_RESPONSES: ReadonlyMap<string, DvmResponse> = new Map();
const NO_CHILDREN: ReadonlySet<string> = new Set();
const NO_PARENTS: readonly string[] = [];

/**
 * The mutable state of one job, keyed by request id. Sinks see it through JobSnapshot; the extra
 * fields are the index's bookkeeping. It holds no references to other jobs (only ids), so a sink can
 * serialise a snapshot without meeting a cycle.
 */
export class Job implements JobSnapshot, Scheduled {
  kind: number | null = null;
  request: RequestFacts | null = null;
  customer: string | null = null;
  createdAt: number | null = null;
  encrypted = false;
  parentIds: readonly string[] = NO_PARENTS;
  rootId: string;
  /** Created on the first response: most jobs in flight have none, and an empty Map costs ~200 bytes. */
  private responseMap: Map<string, DvmResponse> | null = null;
  cancellation: Cancellation | null = null;
  outcome: JobOutcome | null = null;
  endedAt: number | null = null;

  /** Steps from this job up to its root, at most JOB_LIMITS.chainDepth (see chain-links.ts). */
  chainDepth = 0;
  /** Ids of the jobs linked as building on this one; created on the first link, like `responseMap`. */
  private childIds: Set<string> | null = null;
  /** Results accepted for this job from any DVM (stored or not). */
  resultsSeen = 0;
  /** Responses whose newest feedback is `error`: when that is all of them, the job is failing. */
  errorResponders = 0;
  earliestResponseAt: number | null = null;
  latestResponseAt: number | null = null;
  /** Pending outcomes, clock seconds; see settlement.ts for how they are computed. */
  expireAt = Number.POSITIVE_INFINITY;
  settleAt: number | null = null;
  errorAt: number | null = null;
  deadline = Number.POSITIVE_INFINITY;
  heapIndex = -1;

  constructor(
    readonly id: string,
    readonly seq: number,
    /** Clock time the index first heard of the job (request or early response). */
    readonly firstSeenAt: number,
  ) {
    this.rootId = id;
  }

  get open(): boolean {
    return this.outcome === null;
  }

  get responses(): ReadonlyMap<string, DvmResponse> {
    return this.responseMap ?? NO_RESPONSES;
  }

  get children(): ReadonlySet<string> {
    return this.childIds ?? NO_CHILDREN;
  }

  addChild(id: string): void {
    this.childIds ??= new Set();
    this.childIds.add(id);
  }

  removeChild(id: string): void {
    if (this.childIds?.delete(id) && this.childIds.size === 0) this.childIds = null;
  }

  attachRequest(request: JobRequest, strings: Interner): void {
    const facts = requestFactsOf(request, strings);
    this.request = facts;
    this.kind = facts.kind;
    this.customer = facts.pubkey;
    this.createdAt = facts.createdAt;
    this.encrypted = facts.encryption !== 'none';
    const inputs = request.jobInputs;
    // The shared empty list, not the request's: each empty array is an object of its own.
    this.parentIds = inputs.length === 0 ? NO_PARENTS : [...new Set(inputs)].filter((id) => id !== this.id);
  }

  /** The DVM's response, created on first use; null when the job already holds its cap of DVMs. */
  responseOf(dvm: string, maxResponses: number): DvmResponse | null {
    this.responseMap ??= new Map();
    const responses = this.responseMap;
    const existing = responses.get(dvm);
    if (existing) return existing;
    if (responses.size >= maxResponses) return null;
    const response = new DvmResponse(this.id, dvm);
    responses.set(dvm, response);
    return response;
  }

  addFeedback(response: DvmResponse, feedback: JobFeedback): AddOutcome {
    const wasError = response.lastStatus === 'error';
    const outcome = response.addFeedback(feedback);
    if (outcome === 'duplicate') return outcome;
    this.countErrorChange(response, wasError);
    this.noteResponse(feedback.event.created_at, feedback.customer, feedback.encryption !== 'none');
    return outcome;
  }

  addResult(response: DvmResponse, result: JobResult): AddOutcome {
    const wasError = response.lastStatus === 'error';
    const outcome = response.addResult(result);
    if (outcome === 'duplicate') return outcome;
    this.countErrorChange(response, wasError);
    this.resultsSeen++;
    this.noteResponse(result.event.created_at, result.customer, result.encryption !== 'none');
    return outcome;
  }

  /** Every DVM that answered ended in error feedback, and none delivered a result. */
  failing(): boolean {
    return this.resultsSeen === 0 && this.responses.size > 0 && this.errorResponders === this.responses.size;
  }

  *storedResults(): IterableIterator<JobResult> {
    for (const response of this.responses.values()) yield* response.results;
  }

  /** Responses past the per-job cap are not in the map, so they do not count towards `failing`. */
  private countErrorChange(response: DvmResponse, wasError: boolean): void {
    if (this.responses.get(response.dvm) !== response) return;
    this.errorResponders += Number(response.lastStatus === 'error') - Number(wasError);
  }

  private noteResponse(createdAt: number, customer: string | null, encrypted: boolean): void {
    if (this.earliestResponseAt === null || createdAt < this.earliestResponseAt)
      this.earliestResponseAt = createdAt;
    if (this.latestResponseAt === null || createdAt > this.latestResponseAt)
      this.latestResponseAt = createdAt;
    // Until the request arrives, the responses are the best evidence of who asked and how.
    if (this.request === null) {
      this.customer ??= customer;
      this.encrypted ||= encrypted;
    }
  }
}
