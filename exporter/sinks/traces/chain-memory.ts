import { LRUCache } from 'lru-cache';
import type { ZapReceipt } from '../../model/dvm-event.js';
import type { ChainView, EmittedJob } from './chain-view.js';
import type { SpanRef } from './span-spec.js';

interface MutableEmitted extends EmittedJob {
  readonly dvms: Set<string>;
  readonly standIns: Map<string, SpanRef>;
}

/** A zap on one of the job's events, waiting for the job's spans to be emitted. */
export interface PendingZap {
  readonly zap: ZapReceipt;
  readonly dvm: string | null;
}

/** Zaps kept per job until it is emitted; more are rare (and still counted by the metrics sink). */
export const MAX_PENDING_ZAPS = 8;

interface Remembered {
  rootId: string;
  emitted: MutableEmitted | null;
  zaps: PendingZap[] | null;
}

/**
 * The sink's bounded memory of jobs: the root of each job's chain as last seen, and where each job's
 * spans went. Least recently touched jobs are forgotten first; a forgotten job only means a later
 * event for it is placed by the id rules alone.
 */
export class ChainMemory implements ChainView {
  private readonly jobs: LRUCache<string, Remembered>;

  constructor(capacity: number) {
    this.jobs = new LRUCache({ max: Math.max(1, capacity) });
  }

  get size(): number {
    return this.jobs.size;
  }

  rootOf(jobId: string): string | undefined {
    return this.jobs.peek(jobId)?.rootId;
  }

  emitted(jobId: string): EmittedJob | undefined {
    return this.jobs.peek(jobId)?.emitted ?? undefined;
  }

  noteRoot(jobId: string, rootId: string): void {
    const known = this.jobs.get(jobId);
    if (known) known.rootId = rootId;
    else this.jobs.set(jobId, { rootId, emitted: null, zaps: null });
  }

  noteEmitted(jobId: string, rootId: string, ref: SpanRef, start: number, kind: number | null): void {
    this.noteRoot(jobId, rootId);
    const known = this.jobs.get(jobId)!;
    known.emitted ??= { ref, start, kind, dvms: new Set(), standIns: new Map() };
  }

  noteResponse(jobId: string, dvm: string): void {
    this.jobs.get(jobId)?.emitted?.dvms.add(dvm);
  }

  /** Holds a zap until its job is emitted; false when the job already holds its share. */
  holdZap(jobId: string, zap: PendingZap): boolean {
    if (!this.jobs.has(jobId)) this.noteRoot(jobId, jobId);
    const known = this.jobs.get(jobId)!;
    known.zaps ??= [];
    if (known.zaps.length >= MAX_PENDING_ZAPS) return false;
    known.zaps.push(zap);
    return true;
  }

  takeZaps(jobId: string): readonly PendingZap[] {
    const known = this.jobs.peek(jobId);
    const zaps = known?.zaps ?? [];
    if (known) known.zaps = null;
    return zaps;
  }

  noteStandIn(jobId: string, ref: SpanRef): void {
    this.jobs.get(jobId)?.emitted?.standIns.set(ref.traceId, ref);
  }
}
