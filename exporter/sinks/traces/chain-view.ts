import { jobSpanIdFor, traceIdFor } from '../../jobs/trace-ids.js';
import { ATTR } from './attributes.js';
import type { SpanLinkSpec, SpanRef } from './span-spec.js';

/** Where a job's span went when it was emitted, and the spans that stand in for it in other traces. */
export interface EmittedJob {
  readonly ref: SpanRef;
  /** Start of the job span (seconds), reused by spans that point at it later. */
  readonly start: number;
  readonly kind: number | null;
  /** DVMs whose response span was emitted. */
  readonly dvms: ReadonlySet<string>;
  /**
   * Chain-link spans standing in for this job in other traces, by trace id: a job emitted in its own
   * trace before its parent was known is represented in the root's trace by such a span.
   */
  readonly standIns: ReadonlyMap<string, SpanRef>;
}

/** What the planner needs to know about other jobs: the sink's bounded memory of chains and emissions. */
export interface ChainView {
  /** Root of a job's chain as last seen; undefined when the job is unknown here. */
  rootOf(jobId: string): string | undefined;
  emitted(jobId: string): EmittedJob | undefined;
}

/** The job's span as it was emitted, or where it is (or will be) emitted under the current root. */
export function jobRefOf(jobId: string, chain: ChainView): SpanRef {
  return (
    chain.emitted(jobId)?.ref ?? {
      traceId: traceIdFor(chain.rootOf(jobId) ?? jobId),
      spanId: jobSpanIdFor(jobId),
    }
  );
}

/**
 * The span that represents job `jobId` inside trace `traceId`: its own span when it went (or will go)
 * there, otherwise its stand-in chain-link span in that trace when there is one.
 */
export function jobRefIn(traceId: string, jobId: string, chain: ChainView): SpanRef {
  const own: SpanRef = { traceId, spanId: jobSpanIdFor(jobId) };
  const emitted = chain.emitted(jobId);
  if (!emitted || emitted.ref.traceId === traceId) return own;
  return emitted.standIns.get(traceId) ?? own;
}

export interface JobPlacement {
  readonly ref: SpanRef;
  readonly parent: SpanRef | null;
  /** The job input this job hangs under in the tree; null for a root (or a step whose inputs are unknown). */
  readonly parentId: string | null;
  readonly links: readonly SpanLinkSpec[];
}

/**
 * Puts a job in its chain's trace. Trace id = the root as known now; the parent is the first job input
 * on the same root; every other input becomes a span link, as does the parent's own span when that
 * went to another trace (emitted before its own parent was known).
 */
export function placeJob(
  job: { readonly id: string; readonly rootId: string; readonly parentIds: readonly string[] },
  chain: ChainView,
): JobPlacement {
  const traceId = traceIdFor(job.rootId);
  const ref: SpanRef = { traceId, spanId: jobSpanIdFor(job.id) };
  const parentId =
    job.rootId === job.id
      ? null
      : (job.parentIds.find((p) => chain.rootOf(p) === job.rootId) ?? job.parentIds[0] ?? null);
  const parent = parentId === null ? null : jobRefIn(traceId, parentId, chain);
  const links: SpanLinkSpec[] = [];
  for (const input of job.parentIds) {
    const inputRef = jobRefOf(input, chain);
    const sameAsParent = input === parentId && parent !== null && inputRef.traceId === parent.traceId;
    if (!sameAsParent) links.push({ ref: inputRef, attributes: { [ATTR.linkInput]: input } });
  }
  return { ref, parent, parentId, links };
}
