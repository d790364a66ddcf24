import { createHash } from 'node:crypto';
import type { DomainEvent, DomainEventType } from '../../exporter/jobs/domain-events.js';
import { DEFAULT_JOB_INDEX_OPTIONS, JobIndex, type JobIndexOptions } from '../../exporter/jobs/job-index.js';
import type {
  Cancellation,
  DvmAnnouncement,
  Encryption,
  FeedbackStatus,
  Heartbeat,
  JobFeedback,
  JobRequest,
  JobResult,
  PaymentAmount,
  Recommendation,
  ZapReceipt,
} from '../../exporter/model/dvm-event.js';
import type { NostrEvent } from '../../exporter/model/nostr-event.js';
import { ManualClock } from '../../exporter/util/clock.js';

/*
 * Typed builders for DvmEvent values, as the parsers produce them, so job logic is tested on its own.
 * Ids and keys are sha256 of a readable label: `hex('req-1')`, `key('dvm-a')`.
 */

export const T0 = 1_700_000_000;

export function hex(label: string): string {
  return createHash('sha256').update(label).digest('hex');
}
const keys = new Map<string, string>();
export function key(name: string): string {
  let pubkey = keys.get(name);
  if (pubkey === undefined) {
    pubkey = hex(`key:${name}`);
    keys.set(name, pubkey);
  }
  return pubkey;
}

let sequence = 0;
/** A unique event id; counter-based because hashing dominates tests that build 1e5 events. */
const freshId = (): string => `e${(sequence++).toString(16).padStart(63, '0')}`;

function nostr(kind: number, pubkey: string, createdAt: number, id = freshId()): NostrEvent {
  return { id, pubkey, created_at: createdAt, kind, tags: [], content: '', sig: '0'.repeat(128) };
}

export interface RequestSpec {
  id?: string;
  author?: string;
  kind?: number;
  at?: number;
  jobInputs?: string[];
  encryption?: Encryption;
}
export function request(spec: RequestSpec = {}): JobRequest {
  const kind = spec.kind ?? 5000;
  const jobInputs = spec.jobInputs ?? [];
  return {
    role: 'request',
    event: nostr(kind, spec.author ?? key('customer'), spec.at ?? T0, spec.id),
    kind,
    inputs: jobInputs.map((data) => ({ data, type: 'job', relay: null, marker: null })),
    jobInputs,
    targets: [],
    params: [],
    output: null,
    bidMsat: null,
    relays: [],
    encryption: spec.encryption ?? 'none',
    testKey: false,
  };
}

interface ResponseSpec {
  id?: string;
  dvm?: string;
  /** The request id from the `e` tag; null for an unlinkable response. */
  requestId: string | null;
  at?: number;
  customer?: string | null;
  amount?: PaymentAmount | null;
  encryption?: Encryption;
}

export function feedback(spec: ResponseSpec & { status: FeedbackStatus }): JobFeedback {
  return {
    role: 'feedback',
    event: nostr(7000, spec.dvm ?? key('dvm-a'), spec.at ?? T0, spec.id),
    requestId: spec.requestId,
    customer: spec.customer ?? key('customer'),
    amount: spec.amount ?? null,
    encryption: spec.encryption ?? 'none',
    status: spec.status,
    rawStatus: spec.status,
    statusText: null,
  };
}

export function result(spec: ResponseSpec & { requestKind?: number }): JobResult {
  const requestKind = spec.requestKind ?? 5000;
  return {
    role: 'result',
    event: nostr(requestKind + 1000, spec.dvm ?? key('dvm-a'), spec.at ?? T0, spec.id),
    requestId: spec.requestId,
    customer: spec.customer ?? key('customer'),
    amount: spec.amount ?? null,
    encryption: spec.encryption ?? 'none',
    requestKind,
  };
}

/** An `amount` tag: the tag figure and/or a decoded invoice figure (null when absent or unusable). */
export function amount(tagMsat: number | null, invoiceMsat: number | null = null): PaymentAmount {
  return {
    raw: tagMsat === null ? 'garbage' : String(tagMsat),
    tagMsat,
    bolt11: invoiceMsat === null ? null : 'lnbc1fake',
    invoiceMsat,
    invoiceExpiresAt: invoiceMsat === null ? null : T0 + 3600,
    issues: tagMsat === null ? ['unparsable_amount'] : [],
  };
}

export function cancellation(spec: {
  targetIds: string[];
  author?: string;
  at?: number;
  id?: string;
}): Cancellation {
  return {
    role: 'cancellation',
    event: nostr(5, spec.author ?? key('customer'), spec.at ?? T0, spec.id),
    targetIds: spec.targetIds,
    kinds: [],
  };
}

export function zap(targetIds: string[], at = T0): ZapReceipt {
  return {
    role: 'zap_receipt',
    event: nostr(9735, key('zapper'), at),
    targetIds,
    recipient: key('dvm-a'),
    bolt11: null,
    amountMsat: 21_000,
  };
}

export function announcement(dvm = key('dvm-a')): DvmAnnouncement {
  const profile = {
    name: 'A',
    picture: null,
    about: null,
    lud16: null,
    supportsEncryption: null,
    acceptsNutZaps: null,
    amount: null,
    nip90Params: null,
  };
  return { role: 'announcement', event: nostr(31990, dvm, T0), d: 'a', kinds: [5000], profile };
}

export function recommendation(): Recommendation {
  return {
    role: 'recommendation',
    event: nostr(31989, key('customer'), T0),
    supportedKind: 5000,
    handlers: [],
  };
}

export function heartbeat(dvm = key('dvm-a')): Heartbeat {
  return { role: 'heartbeat', event: nostr(11998, dvm, T0), d: 'a', statusText: 'ok' };
}

/** A job index on a manual clock that records everything it emits. */
export class Harness {
  readonly clock: ManualClock;
  readonly events: DomainEvent[] = [];
  readonly index: JobIndex;

  constructor(options: Partial<JobIndexOptions> = {}, start = T0) {
    this.clock = new ManualClock(start);
    this.index = new JobIndex({ ...DEFAULT_JOB_INDEX_OPTIONS, ...options }, this.clock, (e) =>
      this.events.push(e),
    );
  }

  apply(...events: Parameters<JobIndex['apply']>[0][]): this {
    for (const event of events) this.index.apply(event);
    return this;
  }

  /** Moves the clock to `T0 + offset` and ticks. */
  tickAt(offset: number): this {
    this.clock.set(T0 + offset);
    this.index.tick();
    return this;
  }

  types(): DomainEventType[] {
    return this.events.map((e) => e.type);
  }

  of<T extends DomainEventType>(type: T): Extract<DomainEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<DomainEvent, { type: T }> => e.type === type);
  }

  /** Forgets what was emitted so far. */
  clear(): this {
    this.events.length = 0;
    return this;
  }

  job(id: string) {
    const job = this.index.get(id);
    if (!job) throw new Error(`job ${id.slice(0, 8)} is not tracked`);
    return job;
  }
}
