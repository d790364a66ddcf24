import type { Job } from './job-state.js';
import { JOB_LIMITS } from './options.js';

const NOTHING_LINKED = Object.freeze({ linked: [], unseen: [] });

interface JobLookup {
  get(id: string): Job | undefined;
}

/**
 * Job chains: a request whose `job` inputs name earlier requests builds on them. Chains are a DAG
 * (several inputs per request, several children per job) and the two ends may arrive in any order,
 * so an edge is linked as soon as both jobs are in the index, whichever came second, exactly once.
 *
 * rootId: a job's first input (in tag order) that is linked decides its parent for the root; the root
 * is that parent's root, or the job itself. Tag order rather than arrival order, so every arrival order
 * ends with the same roots. The walk up stops after JOB_LIMITS.chainDepth steps, the same cap as the
 * `job_roots` view, so a job deeper than that is rooted at its ancestor that many steps up in both.
 *
 * Each job keeps its depth (steps to its root, capped), so a root is found from its parent in O(1)
 * below the cap; a change at one job revisits only the jobs whose root or depth it changes, at most
 * `chainDepth` levels down. Linking a chain of N jobs costs O(N * chainDepth) in any arrival order.
 */
export class ChainLinks {
  /** Parent id -> ids of tracked requests naming it while it is not in the index. */
  private readonly waiting = new Map<string, Set<string>>();

  constructor(private readonly jobs: JobLookup) {}

  /** Number of parent ids some tracked request is waiting for. */
  get pendingParents(): number {
    return this.waiting.size;
  }

  /**
   * A request arrived (`child.parentIds` set): links the parents already known, remembers the others.
   * Returns the linked parents and the inputs not seen yet.
   */
  linkRequest(child: Job): { readonly linked: readonly Job[]; readonly unseen: readonly string[] } {
    if (child.parentIds.length === 0 && child.children.size === 0) return NOTHING_LINKED;
    const linked: Job[] = [];
    const unseen: string[] = [];
    for (const parentId of child.parentIds) {
      const parent = this.jobs.get(parentId);
      if (parent) {
        parent.addChild(child.id);
        linked.push(parent);
      } else {
        unseen.push(parentId);
        let children = this.waiting.get(parentId);
        if (!children) {
          children = new Set();
          this.waiting.set(parentId, children);
        }
        children.add(child.id);
      }
    }
    this.refreshRoots(child);
    return { linked, unseen };
  }

  /** A job entered the index: links the requests that were waiting for it. Returns those children. */
  adoptWaiting(parent: Job): readonly Job[] {
    const waitingIds = this.waiting.get(parent.id);
    if (!waitingIds) return [];
    this.waiting.delete(parent.id);
    const adopted: Job[] = [];
    for (const childId of waitingIds) {
      const child = this.jobs.get(childId);
      if (!child) continue;
      parent.addChild(childId);
      this.refreshRoots(child);
      adopted.push(child);
    }
    return adopted;
  }

  /** The job leaves the index: drops its edges to parents and its waiting entries. */
  forget(job: Job): void {
    for (const parentId of job.parentIds) {
      this.jobs.get(parentId)?.removeChild(job.id);
      const children = this.waiting.get(parentId);
      if (children?.delete(job.id) && children.size === 0) this.waiting.delete(parentId);
    }
  }

  /**
   * Recomputes the root of `start` and, where it changed, of everything built on it. Breadth first, so
   * a job reached along several paths is recomputed after its nearer parents.
   */
  refreshRoots(start: Job): void {
    let level: Job[] = [start];
    while (level.length > 0) {
      const next: Job[] = [];
      for (const job of level) {
        const parent = this.rootParent(job);
        let rootId = job.id;
        let depth = 0;
        if (parent && parent.chainDepth < JOB_LIMITS.chainDepth) {
          rootId = parent.rootId;
          depth = parent.chainDepth + 1;
        } else if (parent) {
          rootId = this.ancestorAtCap(job);
          depth = JOB_LIMITS.chainDepth;
        }
        if (rootId === job.rootId && depth === job.chainDepth && job !== start) continue;
        job.rootId = rootId;
        job.chainDepth = depth;
        for (const childId of job.children) {
          const child = this.jobs.get(childId);
          if (child) next.push(child);
        }
      }
      level = next;
    }
  }

  /** The parent that decides the job's root: its first job input, in tag order, that is linked. */
  private rootParent(job: Job): Job | undefined {
    for (const parentId of job.parentIds) {
      const parent = this.jobs.get(parentId);
      if (parent?.children.has(job.id)) return parent;
    }
    return undefined;
  }

  /** The job's ancestor `chainDepth` steps up (the chain is deeper than the cap). */
  private ancestorAtCap(job: Job): string {
    let current = job;
    for (let step = 0; step < JOB_LIMITS.chainDepth; step++) {
      const parent = this.rootParent(current);
      if (!parent) break;
      current = parent;
    }
    return current.id;
  }
}
