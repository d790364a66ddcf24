import type { JobSnapshot } from '../../jobs/domain-events.js';
import { JOB_KIND_NAMES } from '../../model/kinds.js';

/** Kinds outside the known list share one label value, so junk kinds cannot grow the series count. */
export const OTHER_KIND = 'other';
/** Feedback whose request was never seen: its kind is not known. */
export const UNKNOWN_KIND = 'unknown';

/** The `kind` label of a request kind: its decimal string when it is a known job kind, `other` otherwise. */
export function kindLabel(requestKind: number): string {
  return JOB_KIND_NAMES.has(requestKind) ? String(requestKind) : OTHER_KIND;
}

/** The `kind` label of a job by its request (`unknown` while the request is unseen). */
export function requestKindLabel(job: JobSnapshot): string {
  return job.request === null ? UNKNOWN_KIND : kindLabel(job.request.kind);
}

/** The `kind` label of a job by whatever tells its kind: the request, else a result (kind - 1000). */
export function jobKindLabel(job: JobSnapshot): string {
  return job.kind === null ? UNKNOWN_KIND : kindLabel(job.kind);
}

/** Every label value `kindLabel` can return, for zero-initialised series. */
export function knownKindLabels(): string[] {
  return [...[...JOB_KIND_NAMES.keys()].sort((a, b) => a - b).map(String), OTHER_KIND];
}
