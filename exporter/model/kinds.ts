/** NIP-90 kind numbers and ranges, and human names for the common job kinds. */

export interface KindRange {
  readonly min: number;
  readonly max: number;
}

/** Both ends inclusive: 5999 and 6999 are job kinds (DVMDash's range check lost them). */
export const JOB_REQUEST_KINDS: KindRange = Object.freeze({ min: 5000, max: 5999 });
export const JOB_RESULT_KINDS: KindRange = Object.freeze({ min: 6000, max: 6999 });

/** A result's kind is its request's kind plus this. */
export const RESULT_KIND_OFFSET = 1000;

export const KIND_DELETION = 5;
export const KIND_JOB_FEEDBACK = 7000;
export const KIND_ZAP_RECEIPT = 9735;
export const KIND_HEARTBEAT = 11998;
export const KIND_HANDLER_RECOMMENDATION = 31989;
export const KIND_HANDLER_ANNOUNCEMENT = 31990;

export function inKindRange(kind: number, range: KindRange): boolean {
  return Number.isInteger(kind) && kind >= range.min && kind <= range.max;
}

export function isJobRequestKind(kind: number): boolean {
  return inKindRange(kind, JOB_REQUEST_KINDS);
}

export function isJobResultKind(kind: number): boolean {
  return inKindRange(kind, JOB_RESULT_KINDS);
}

/** The request kind a result kind answers (6300 -> 5300); null for a kind outside the result range. */
export function requestKindOf(resultKind: number): number | null {
  return isJobResultKind(resultKind) ? resultKind - RESULT_KIND_OFFSET : null;
}

/**
 * The common job request kinds and what they do (protocol.md §9). Being listed here also makes a kind
 * "known": a known kind is a job even without any job-like tag (Vertex 5313 requests have no tags at all).
 * Kinds seen in traffic without an agreed meaning (5204, 5305, ...) are left out.
 */
export const JOB_KIND_NAMES: ReadonlyMap<number, string> = new Map([
  [5000, 'text extraction'],
  [5001, 'summarization'],
  [5002, 'translation'],
  [5050, 'text generation'],
  [5100, 'image generation'],
  [5101, 'background removal'],
  [5102, 'image overlay'],
  [5107, 'iot command'],
  [5200, 'video conversion'],
  [5201, 'video translation'],
  [5202, 'image to video'],
  [5205, 'archive media'],
  [5250, 'text to speech'],
  [5251, 'music generation'],
  [5300, 'content discovery'],
  [5301, 'people discovery'],
  [5302, 'content search'],
  [5303, 'people search'],
  [5304, 'visual discovery'],
  [5312, 'verify reputation'],
  [5313, 'recommend follows'],
  [5314, 'sort profiles'],
  [5315, 'search profiles'],
  [5400, 'event count'],
  [5500, 'malware scan'],
  // Two drafts claim 5600 (wasm execution, git CI/CD); the traffic is CI/CD.
  [5600, 'git ci/cd'],
  [5900, 'timestamping'],
  [5901, 'op_return'],
  [5905, 'scheduled publishing'],
  [5910, 'mcp bridge'],
  [5950, 'nip-05 registration'],
  [5951, 'relay access'],
  [5970, 'pow delegation'],
  [5999, 'generic job'],
]);

const OTHER_KIND_NAMES: ReadonlyMap<number, string> = new Map([
  [KIND_DELETION, 'deletion'],
  [KIND_JOB_FEEDBACK, 'job feedback'],
  [KIND_ZAP_RECEIPT, 'zap receipt'],
  [KIND_HEARTBEAT, 'dvm heartbeat'],
  [KIND_HANDLER_RECOMMENDATION, 'handler recommendation'],
  [KIND_HANDLER_ANNOUNCEMENT, 'handler announcement'],
]);

/** A short human name: job kinds from the table (results as "<name> result"), the other DVM kinds, else null. */
export function kindName(kind: number): string | null {
  const requestKind = requestKindOf(kind);
  if (requestKind !== null) {
    const name = JOB_KIND_NAMES.get(requestKind);
    return name === undefined ? null : `${name} result`;
  }
  return JOB_KIND_NAMES.get(kind) ?? OTHER_KIND_NAMES.get(kind) ?? null;
}
