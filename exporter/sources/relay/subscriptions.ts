import { Backoff } from './backoff.js';
import type { FilterSpec } from './filter.js';
import { Backfill } from './paging.js';
import { chunkForReq } from './plan.js';

export interface SubscriptionsOptions {
  /** Sends one NIP-01 message; false when the socket is gone. */
  send(message: readonly unknown[]): boolean;
  /** `since` for a (re)opened subscription: the resume point minus the safety margin. */
  since(): number;
  /** Whether reading is paused (backpressure): EOSE waits do not time out meanwhile. */
  paused(): boolean;
  readonly pageLimit: number;
  readonly maxFiltersPerReq: number;
  readonly maxMessageBytes: number | null;
  readonly eoseTimeoutMs: number;
  /** Retry delays for a REQ the relay CLOSED. */
  readonly retryMinSeconds: number;
  readonly retryMaxSeconds: number;
  /** Something changed that may change `caughtUp`. */
  onProgress(): void;
  onPageRequested(): void;
  warn(detail: Record<string, unknown>, message: string): void;
}

type Role = 'live' | 'zaps' | 'page';

interface Sub {
  readonly id: string;
  readonly role: Role;
  readonly backfill: Backfill;
  /** Filters of `backfill` this REQ carries (all of them for live REQs). */
  readonly indices: readonly number[];
  eose: boolean;
  timer: NodeJS.Timeout | null;
}

/** A live REQ: its backfill, and what happens when the relay closes it. */
interface LiveSlot {
  readonly role: 'live' | 'zaps';
  readonly specs: readonly FilterSpec[];
  current: Sub | null;
  retry: NodeJS.Timeout | null;
  readonly backoff: Backoff;
}

/**
 * The subscriptions held on one connection: the live REQs of the plan (plus the zap-receipt REQ), each
 * backfilled from the resume point by `until` pages through one working slot, one page at a time.
 * "Caught up" means every live REQ reached EOSE, every backfill is complete and nothing is being retried:
 * only then may the relay's cursor move.
 */
export class Subscriptions {
  private readonly slots: LiveSlot[] = [];
  private readonly byId = new Map<string, Sub>();
  private pageQueue: Backfill[] = [];
  private page: Sub | null = null;
  private serial = 0;
  private disposed = false;

  constructor(
    liveReqs: readonly (readonly FilterSpec[])[],
    private readonly options: SubscriptionsOptions,
  ) {
    for (const specs of liveReqs) this.slots.push(this.slot('live', specs));
  }

  /** Opens every live REQ (and the zap REQ when there are zap filters). */
  open(zapSpecs: readonly FilterSpec[]): void {
    this.setZaps(zapSpecs, false);
    for (const slot of this.slots) this.request(slot);
  }

  /**
   * Every planned live REQ reached EOSE and finished its backfill. The zap-receipt REQ does not count:
   * it changes whenever new DVMs appear, and holding the cursor for each of its backfills would stall it.
   */
  get caughtUp(): boolean {
    return this.slots.every(
      (s) => s.role === 'zaps' || (s.current?.eose === true && s.current.backfill.complete),
    );
  }

  /** Per-REQ state for the status endpoint. */
  describe(): {
    id: string | null;
    role: 'live' | 'zaps';
    eose: boolean;
    backfilled: boolean;
    filters: number;
  }[] {
    return this.slots.map((s) => ({
      id: s.current?.id ?? null,
      role: s.role,
      eose: s.current?.eose ?? false,
      backfilled: s.current?.backfill.complete ?? false,
      filters: s.specs.length,
    }));
  }

  /** REQs open on the relay right now. */
  get openCount(): number {
    return this.slots.filter((s) => s.current !== null).length + (this.page ? 1 : 0);
  }

  /** Attributes an EVENT to the backfill page it answers (if it answers one). */
  observe(subId: string, event: unknown, createdAt: number | null): void {
    const sub = this.byId.get(subId);
    if (!sub || sub.eose || createdAt === null) return;
    sub.backfill.observe(event, createdAt);
  }

  eose(subId: string): void {
    const sub = this.byId.get(subId);
    if (!sub || sub.eose) return;
    this.finishPage(sub);
  }

  /** The relay ended a REQ (CLOSED). Live REQs are re-opened after a delay; a page is asked again. */
  closed(subId: string): void {
    const sub = this.byId.get(subId);
    if (!sub) return;
    this.forget(sub);
    if (sub.role === 'page') {
      sub.backfill.abandonPage();
      this.page = null;
      this.pageQueue.unshift(sub.backfill);
      const slot = this.slots.find((s) => s.current?.backfill === sub.backfill);
      this.retryLater(slot?.backoff.next() ?? this.options.retryMinSeconds, () => this.nextPage());
    } else {
      const slot = this.slots.find((s) => s.current === sub);
      if (!slot) return;
      slot.current = null;
      this.dropBackfill(sub.backfill);
      const delay = slot.backoff.next();
      slot.retry = this.retryLater(delay, () => {
        slot.retry = null;
        this.request(slot);
      });
      this.nextPage();
    }
    this.options.onProgress();
  }

  /** Replaces the zap-receipt REQ (the DVM set changed), backfilling it from the resume point. */
  setZaps(specs: readonly FilterSpec[], request = true): void {
    const existing = this.slots.findIndex((s) => s.role === 'zaps');
    if (existing >= 0) {
      const [old] = this.slots.splice(existing, 1);
      if (old) this.release(old);
    }
    if (specs.length === 0) {
      this.nextPage();
      return;
    }
    const slot = this.slot('zaps', specs);
    this.slots.push(slot);
    if (request) this.request(slot);
    this.nextPage();
  }

  /** Closes and re-opens everything from the resume point (repair after shedding). */
  resubscribe(): void {
    for (const slot of this.slots) this.release(slot);
    this.pageQueue = [];
    for (const slot of this.slots) this.request(slot);
    this.options.onProgress();
  }

  /** Sends CLOSE for every open REQ and stops all timers. */
  dispose(): void {
    for (const slot of this.slots) this.release(slot);
    this.pageQueue = [];
    this.disposed = true;
  }

  private slot(role: 'live' | 'zaps', specs: readonly FilterSpec[]): LiveSlot {
    return {
      role,
      specs,
      current: null,
      retry: null,
      backoff: new Backoff(this.options.retryMinSeconds, this.options.retryMaxSeconds),
    };
  }

  private request(slot: LiveSlot): void {
    if (this.disposed) return;
    const backfill = new Backfill(slot.specs, this.options.since(), this.options.pageLimit);
    const indices = slot.specs.map((_, i) => i);
    const sub = this.subscribe(slot.role === 'zaps' ? 'z' : 'l', slot.role, backfill, indices);
    slot.current = sub;
    this.options.onProgress();
  }

  private subscribe(prefix: string, role: Role, backfill: Backfill, indices: readonly number[]): Sub {
    const id = `${prefix}${++this.serial}`;
    const sub: Sub = { id, role, backfill, indices, eose: false, timer: null };
    this.byId.set(id, sub);
    backfill.startPage(indices);
    this.options.send(['REQ', id, ...indices.map((i) => backfill.request(i))]);
    this.armEoseTimeout(sub);
    return sub;
  }

  private armEoseTimeout(sub: Sub): void {
    sub.timer = setTimeout(() => {
      sub.timer = null;
      if (sub.eose || !this.byId.has(sub.id)) return;
      if (this.options.paused()) {
        this.armEoseTimeout(sub);
        return;
      }
      this.options.warn(
        { sub: sub.id, timeoutMs: this.options.eoseTimeoutMs },
        'no EOSE in time; taking the page as complete',
      );
      this.finishPage(sub);
    }, this.options.eoseTimeoutMs);
    sub.timer.unref();
  }

  private finishPage(sub: Sub): void {
    sub.eose = true;
    if (sub.timer) clearTimeout(sub.timer);
    sub.timer = null;
    sub.backfill.endPage();
    if (sub.role === 'page') {
      this.forget(sub);
      this.options.send(['CLOSE', sub.id]);
      this.page = null;
      if (sub.backfill.pending().length > 0) this.pageQueue.unshift(sub.backfill);
    } else {
      const slot = this.slots.find((s) => s.current === sub);
      if (slot && sub.backfill.complete) slot.backoff.reset();
      if (sub.backfill.pending().length > 0) this.pageQueue.push(sub.backfill);
    }
    this.nextPage();
    this.options.onProgress();
  }

  /** Sends the next backfill page through the working slot, if it is free. */
  private nextPage(): void {
    if (this.disposed || this.page) return;
    while (this.pageQueue.length > 0) {
      const backfill = this.pageQueue[0] as Backfill;
      const pending = backfill.pending();
      if (pending.length === 0) {
        this.pageQueue.shift();
        continue;
      }
      const specs = pending.map((i) => backfill.specs[i] as FilterSpec);
      const [first] = chunkForReq(specs, {
        maxFiltersPerReq: this.options.maxFiltersPerReq,
        maxMessageBytes: this.options.maxMessageBytes,
      });
      const indices = pending.slice(0, Math.max(1, first?.length ?? 1));
      this.page = this.subscribe('p', 'page', backfill, indices);
      this.options.onPageRequested();
      return;
    }
    // Every backfill done: the live slots' backoffs can start over.
    for (const slot of this.slots) if (slot.current?.backfill.complete) slot.backoff.reset();
  }

  private release(slot: LiveSlot): void {
    if (slot.retry) clearTimeout(slot.retry);
    slot.retry = null;
    const sub = slot.current;
    if (sub) {
      this.forget(sub);
      this.options.send(['CLOSE', sub.id]);
      this.dropBackfill(sub.backfill);
    }
    slot.current = null;
  }

  /** Stops paging a backfill that no live REQ needs any more. */
  private dropBackfill(backfill: Backfill): void {
    this.pageQueue = this.pageQueue.filter((b) => b !== backfill);
    if (this.page && this.page.backfill === backfill) {
      this.forget(this.page);
      this.options.send(['CLOSE', this.page.id]);
      this.page = null;
    }
  }

  private forget(sub: Sub): void {
    if (sub.timer) clearTimeout(sub.timer);
    sub.timer = null;
    this.byId.delete(sub.id);
  }

  private retryLater(seconds: number, action: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      if (!this.disposed) action();
    }, seconds * 1000);
    timer.unref();
    return timer;
  }
}
