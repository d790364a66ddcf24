import type { Encryption, JobRequest } from '../model/dvm-event.js';

/**
 * What the sinks read of a job's request after `job_requested`, kept instead of the request event: an
 * open job must not hold the signature, content and tags (1.5 KB of 2.5 KB per job, measured).
 */
export interface RequestFacts {
  readonly kind: number;
  readonly pubkey: string;
  readonly createdAt: number;
  readonly encryption: Encryption;
  /** DVMs the customer addressed (`p` tags). */
  readonly targets: readonly string[];
  readonly bidMsat: number | null;
  readonly inputCount: number;
  /** The `output` tag, cut to OUTPUT_KEPT_CHARS (readers bound it further). */
  readonly output: string | null;
  readonly testKey: boolean;
}

/** Longer than any reader shows (trace attributes stop at 256), short enough that a hostile tag costs little. */
export const OUTPUT_KEPT_CHARS = 512;

/**
 * Shares one copy of strings that repeat across jobs (pubkeys, output types): JSON parsing makes a new
 * string for every event. Bounded: when full it starts over, which costs sharing, never correctness.
 */
export class Interner {
  private readonly strings = new Map<string, string>();

  constructor(private readonly capacity: number) {}

  intern(value: string): string {
    const known = this.strings.get(value);
    if (known !== undefined) return known;
    if (this.strings.size >= this.capacity) this.strings.clear();
    this.strings.set(value, value);
    return value;
  }
}

/** A cut string of its own: a plain slice would keep the whole original alive (V8 sliced strings). */
function keptOutput(output: string): string {
  if (output.length <= OUTPUT_KEPT_CHARS) return output;
  return Buffer.from(output.slice(0, OUTPUT_KEPT_CHARS), 'utf8').toString('utf8');
}

const NO_TARGETS: readonly string[] = [];

export function requestFactsOf(request: JobRequest, strings: Interner): RequestFacts {
  const { event, targets, output } = request;
  return {
    kind: request.kind,
    pubkey: strings.intern(event.pubkey),
    createdAt: event.created_at,
    encryption: request.encryption,
    targets: targets.length === 0 ? NO_TARGETS : targets.map((target) => strings.intern(target)),
    bidMsat: request.bidMsat,
    inputCount: request.inputs.length,
    output: output === null ? null : strings.intern(keptOutput(output)),
    testKey: request.testKey,
  };
}
