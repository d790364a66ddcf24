/** Limits of the job index. All times are seconds. */
export interface JobIndexOptions {
  /** Hard cap on tracked jobs; over it the least recently active job is evicted (reason `cap`). */
  readonly maxJobs: number;
  /** A job whose last activity is older than this is forgotten (reason `age`). */
  readonly horizonSeconds: number;
  /** After a job's first result, how long to wait for more results and feedback before it settles. */
  readonly settleWindowSeconds: number;
  /** An open job with no result after this long expires. */
  readonly expirySeconds: number;
}

export const DEFAULT_JOB_INDEX_OPTIONS: JobIndexOptions = Object.freeze({
  maxJobs: 20_000,
  horizonSeconds: 86_400,
  settleWindowSeconds: 120,
  expirySeconds: 3_600,
});

/**
 * Per-job limits. Input is unbounded (anyone can sign a thousand feedback events for one request), so
 * a job's own arrays are capped too; what goes past a cap is still emitted to the sinks and counted in
 * `stats().overflow`, it is only left out of the snapshot.
 */
export const JOB_LIMITS = Object.freeze({
  feedbackPerResponse: 64,
  resultsPerResponse: 64,
  responsesPerJob: 256,
  cancellationsPerTarget: 8,
  /**
   * How far up a chain a job's root is looked for: a job deeper than this is rooted (and traced) at its
   * ancestor this many steps up. The `job_roots` view walks the same number of steps, so trace ids
   * agree between the index, the traces and SQL at every depth.
   */
  chainDepth: 64,
});

/** Throws a RangeError naming the first option that is not a usable number. */
export function checkJobIndexOptions(options: JobIndexOptions): void {
  if (!Number.isInteger(options.maxJobs) || options.maxJobs < 1) {
    throw new RangeError(`maxJobs must be a positive integer, got ${options.maxJobs}`);
  }
  for (const name of ['horizonSeconds', 'settleWindowSeconds', 'expirySeconds'] as const) {
    const value = options[name];
    if (!Number.isFinite(value) || value < 0)
      throw new RangeError(`${name} must be a non-negative number, got ${value}`);
  }
}
