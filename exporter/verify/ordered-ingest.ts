import type { IngestOutcome } from '../model/reasons.js';
import { checkEventShape, parseEventText } from '../model/validate.js';
import { idPreimage } from '../model/verify-native.js';
import type { InputOrigin, Pipeline, Screened } from '../pipeline/pipeline.js';
import { encodeParts, VERDICT_OF } from './protocol.js';
import type { VerifyPool } from './verify-pool.js';

export interface OrderedIngestOptions {
  /** Events per batch sent to a thread: larger batches cost fewer messages. */
  readonly batchSize: number;
  /** Inputs screened but not yet applied; offering more waits (`room()`). */
  readonly maxPending: number;
  /**
   * Send a part-filled batch once the event loop is idle (live input, where latency counts); otherwise
   * only full batches go, and what is left when room() or settle() waits (a file, where messages cost:
   * a message to a thread busy on the other core can wait milliseconds for the port's lock).
   */
  readonly flushWhenIdle: boolean;
}

/** For files: large batches, as many in flight as keep two threads busy. */
export const FILE_INGEST_OPTIONS: OrderedIngestOptions = {
  batchSize: 512,
  maxPending: 4096,
  flushWhenIdle: false,
};

/** Verdict codes of an entry before and instead of a thread's answer. */
const WAITING = -1;
const VERIFY_HERE = -2;

interface Entry {
  readonly screened: Screened | null;
  verdict: number;
}

/**
 * The pipeline with signatures checked on worker threads. Each input is screened at once (shape, dedup,
 * classification: see Pipeline.screen), a new event's id preimage goes to a thread in a batch, and
 * inputs are applied strictly in the order offered, each as soon as it and all before it are decided,
 * so every output is the one the single-threaded pipeline gives. An id in flight is not sent again: its
 * copies wait behind it and are then duplicates. A batch whose thread died is verified here.
 */
export class OrderedIngest {
  private queue: Entry[] = [];
  private head = 0;
  private readonly inFlight = new Set<string>();
  private batch: Entry[] = [];
  private records: string[] = [];
  private flushScheduled = false;
  /** Waiting for room in a sink: a thread's batch of verdicts is applied no faster than the sinks take it. */
  private blocked = false;
  private waiters: (() => void)[] = [];
  private readonly pending = (id: string) => this.inFlight.has(id);

  constructor(
    private readonly pipeline: Pipeline,
    private readonly pool: VerifyPool,
    /** Called after each input is applied, in input order (replay ticks job time here). */
    private readonly onApplied: (outcome: IngestOutcome | null) => void = () => {},
    private readonly options: OrderedIngestOptions = FILE_INGEST_OPTIONS,
  ) {}

  ingestText(text: string, origin: InputOrigin): void {
    const now = this.pipeline.now();
    this.offer(
      this.pipeline.screen(parseEventText(text, this.pipeline.shapeLimits, now), origin, now, this.pending),
    );
  }

  ingestValue(value: unknown, sizeBytes: number, origin: InputOrigin): void {
    const now = this.pipeline.now();
    const shape = checkEventShape(value, sizeBytes, this.pipeline.shapeLimits, now);
    this.offer(this.pipeline.screen(shape, origin, now, this.pending));
  }

  rejectUnreadable(detail: string): void {
    this.offer({ type: 'decided', outcome: { status: 'rejected', reason: 'bad_json', detail } });
  }

  rejectOversized(sizeBytes: number): void {
    this.offer(this.pipeline.screenOversized(sizeBytes));
  }

  /** An input that carries no event (a relay's EOSE line): still applied in its turn. */
  ingestNothing(): void {
    this.offer(null);
  }

  /** Inputs offered and not yet applied. */
  get size(): number {
    return this.queue.length - this.head;
  }

  /** Resolves when there is room for more input, or null when there is room now. */
  room(): Promise<void> | null {
    if (this.size < this.options.maxPending) return null;
    this.flush();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Sends what is batched and resolves once every input offered so far is applied. */
  async settle(): Promise<void> {
    while (this.size > 0) {
      this.flush();
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private offer(screened: Screened | null): void {
    if (screened === null || screened.type !== 'verify') {
      if (this.size === 0) {
        this.onApplied(screened === null ? null : this.pipeline.apply(screened));
        return;
      }
      this.queue.push({ screened, verdict: VERIFY_HERE });
      return;
    }
    const entry: Entry = { screened, verdict: WAITING };
    const event = screened.event.event;
    this.inFlight.add(event.id);
    this.queue.push(entry);
    this.batch.push(entry);
    if (this.records.length > 0) this.records.push('\n');
    this.records.push(event.id, event.pubkey, event.sig, idPreimage(event));
    if (this.batch.length >= this.options.batchSize) this.flush();
    else if (this.options.flushWhenIdle && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.batch.length === 0) return;
    const entries = this.batch;
    const data = encodeParts(this.records);
    this.batch = [];
    this.records = [];
    this.pool.verify(data, entries.length).then(
      (verdicts) => {
        for (let i = 0; i < entries.length; i++) (entries[i] as Entry).verdict = verdicts[i] ?? VERIFY_HERE;
        this.drain();
      },
      () => {
        for (const entry of entries) entry.verdict = VERIFY_HERE;
        this.drain();
      },
    );
  }

  /** Applies the decided prefix of the queue, pausing while a sink has no room. */
  private drain(): void {
    if (this.blocked) return;
    while (this.head < this.queue.length) {
      const entry = this.queue[this.head] as Entry;
      if (entry.verdict === WAITING) break;
      const wait = this.pipeline.capacity();
      if (wait) {
        this.blocked = true;
        void wait.then(() => {
          this.blocked = false;
          this.drain();
        });
        break;
      }
      this.queue[this.head] = undefined as unknown as Entry;
      this.head++;
      const screened = entry.screened;
      if (screened === null) {
        this.onApplied(null);
        continue;
      }
      if (screened.type === 'verify') this.inFlight.delete(screened.event.event.id);
      const verdict = entry.verdict >= 0 ? VERDICT_OF[entry.verdict] : undefined;
      this.onApplied(this.pipeline.apply(screened, verdict));
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.size < this.options.maxPending && this.waiters.length > 0) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    }
  }
}
