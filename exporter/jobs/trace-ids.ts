import { hash } from 'node:crypto';

/**
 * Deterministic trace and span ids, derived from Nostr event ids (uniform SHA-256 hex), so a replay
 * of the same events yields the same ids and anyone can compute a job's trace id from its event id:
 *
 * - trace id of a chain      = first 32 hex of the chain's root request id
 * - span id of a job         = hex 32..48 of the job's request id
 * - span id of a DVM's part  = first 16 hex of sha256(jobId + dvmPubkey)
 * - span id of a late event  = first 16 hex of the event id
 * - span id of a chain link  = first 16 hex of sha256("chain:" + parentId + childId)
 *
 * Pure (no OpenTelemetry import) so logs, metrics exemplars and ClickHouse rows can use it too.
 */

const HEX_64 = /^[0-9a-f]{64}$/;
const ZERO = /^0+$/;

function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

/**
 * Ids are taken from the event id as written; anything that is not 64 lower-case hex (never the case
 * for a verified event, but a tag can name anything) is hashed first so the result is still valid.
 */
function normalised(id: string): string {
  const lower = id.toLowerCase();
  return HEX_64.test(lower) ? lower : sha256Hex(id);
}

/** An all-zero id is invalid in OpenTelemetry; a proof-of-work prefix could come close, so re-hash. */
function nonZero(candidate: string, fallbackSeed: string): string {
  return ZERO.test(candidate) ? sha256Hex(fallbackSeed).slice(0, candidate.length) : candidate;
}

/** The trace id of the chain whose root request is `rootRequestId`: its first 32 hex characters. */
export function traceIdFor(rootRequestId: string): string {
  const id = normalised(rootRequestId);
  return nonZero(id.slice(0, 32), `trace:${id}`);
}

/** The span id of a job (request) span: hex 32..48 of the request id. */
export function jobSpanIdFor(jobId: string): string {
  const id = normalised(jobId);
  return nonZero(id.slice(32, 48), `job:${id}`);
}

/** The span id of one DVM's part in one job. */
export function responseSpanIdFor(jobId: string, dvmPubkey: string): string {
  return nonZero(sha256Hex(normalised(jobId) + dvmPubkey.toLowerCase()).slice(0, 16), `response:${jobId}`);
}

/** The span id of a span made for one event (a late response or cancellation). */
export function eventSpanIdFor(eventId: string): string {
  const id = normalised(eventId);
  return nonZero(id.slice(0, 16), `event:${id}`);
}

/** The span id of the span that stitches a chain step emitted in its own trace back to its parent. */
export function chainLinkSpanIdFor(parentId: string, childId: string): string {
  return nonZero(
    sha256Hex(`chain:${normalised(parentId)}${normalised(childId)}`).slice(0, 16),
    `link:${parentId}`,
  );
}

/** Where a job's span lives: what logs and ClickHouse rows carry to link to it. */
export interface JobTraceContext {
  readonly traceId: string;
  readonly spanId: string;
}

/** The trace context of a job given the root of its chain (the job itself when it has no parent). */
export function jobTraceContext(jobId: string, rootRequestId: string): JobTraceContext {
  return { traceId: traceIdFor(rootRequestId), spanId: jobSpanIdFor(jobId) };
}
