import { LRUCache } from 'lru-cache';
import type { ChainView, EmittedJob } from './chain-view.js';
import type { SpanRef } from './span-spec.js';

interface MutableEmitted extends EmittedJob {
  readonly dvms: Set<string>;
  readonly standIns: Map<string, SpanRef>;
}

interface Remembered {
  rootId: string;
  emitted: MutableEmitted | null;
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
    else this.jobs.set(jobId, { rootId, emitted: null });
  }

  noteEmitted(jobId: string, rootId: string, ref: SpanRef, start: number): void {
    this.noteRoot(jobId, rootId);
    const known = this.jobs.get(jobId)!;
    known.emitted ??= { ref, start, dvms: new Set(), standIns: new Map() };
  }

  noteResponse(jobId: string, dvm: string): void {
    this.jobs.get(jobId)?.emitted?.dvms.add(dvm);
  }

  noteStandIn(jobId: string, ref: SpanRef): void {
    this.jobs.get(jobId)?.emitted?.standIns.set(ref.traceId, ref);
  }
}
