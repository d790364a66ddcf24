import type { JobSnapshot } from '../../jobs/domain-events.js';
import { traceIdFor } from '../../jobs/trace-ids.js';

/**
 * Exemplars link a histogram observation to the trace of the job it measured. prom-client's exemplar
 * label is `traceId` (camelCase), and Grafana's Prometheus datasource must name its trace destination
 * `traceId` too. They appear only in the OpenMetrics exposition, and Prometheus keeps them only with
 * `--enable-feature=exemplar-storage`.
 */

/**
 * The trace id of a job: the first 32 hex characters of the root request id of its chain
 * (`job.rootId`), which is exactly the trace id the tracing sink gives the chain's trace. Anyone can
 * derive it from the root request's event id.
 */
export function traceIdForJob(rootId: string): string {
  return traceIdFor(rootId);
}

/** The exemplar labels of an observation about `job`. */
export function exemplarFor(job: JobSnapshot): { traceId: string } {
  return { traceId: traceIdForJob(job.rootId) };
}
