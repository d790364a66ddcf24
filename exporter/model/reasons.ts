/**
 * Why an input never became an accepted event. Every drop path in the exporter names one of these,
 * so rejections are counted by reason instead of disappearing.
 */
export const REJECT_REASONS = [
  /** The input is not valid JSON, or not a JSON object / relay EVENT frame. */
  'bad_json',
  /** Not a NIP-01 event: a field is missing, of the wrong type, or a hex field has the wrong length. */
  'bad_shape',
  /** The id is not the sha256 of the canonical serialization. */
  'bad_id',
  /** The Schnorr signature does not verify over the id. */
  'bad_sig',
  /** The serialized event exceeds the configured size limit. */
  'too_large',
  /** created_at is further in the future than the allowed clock skew. */
  'future_created_at',
  /** The kind is not one the exporter models (or a 31990 without a job kind). */
  'not_dvm',
  /** A kind inside the job ranges that is known not to be a job (see exclusions.ts). */
  'excluded_kind',
  /** An unknown kind inside the job ranges without any job-like tag. */
  'not_job_like',
  /** A probe's canary request, or a DVM's answer to one: kept out of the market's numbers. */
  'probe_traffic',
] as const;

export type RejectReason = (typeof REJECT_REASONS)[number];

/** The outcome of offering one input to the pipeline. */
export type IngestOutcome =
  | { readonly status: 'accepted'; readonly id: string; readonly role: import('./dvm-event.js').Role }
  | { readonly status: 'duplicate'; readonly id: string }
  | {
      readonly status: 'rejected';
      readonly reason: RejectReason;
      readonly id?: string;
      readonly detail?: string;
    };
