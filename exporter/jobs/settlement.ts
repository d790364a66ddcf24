import type { Job } from './job-state.js';
import type { JobIndexOptions } from './options.js';

/*
 * When a job ends, and the created_at-based time it is said to have ended at.
 *
 * Deadlines follow the events' created_at (a request created at t expires at t + expiry; a first
 * result created at t settles the job at t + settle window), but never earlier than the clock time the
 * deciding event was seen plus the same window: the job's first sighting for expiry, the first result
 * or the latest error for settling. Without that floor a backfill (first start, restart, a relay
 * catching up) that delivers a request created hours ago would expire it on the next tick, before its
 * result, delivered by the same backfill seconds later, got a chance to arrive. With it, every job gets
 * a full window of clock time after the index hears of it.
 *
 * `endedAt` is always a created_at-based time, never the clock: success and error end at the newest
 * response created_at the job has (the last thing that happened on it, which is what a trace span
 * should end on), never before the request; expiry ends at created_at + expiry (nothing happened, so
 * the deadline itself is the end); a cancellation ends at the kind 5's created_at.
 */

export function windowDeadline(createdAt: number, seenAt: number, windowSeconds: number): number {
  return Math.max(createdAt, seenAt) + windowSeconds;
}

/** created_at of the job as best known: the request's, else its earliest response. */
function startOf(job: Job): number {
  return job.createdAt ?? job.earliestResponseAt ?? job.firstSeenAt;
}

export function expiryDeadline(job: Job, options: JobIndexOptions): number {
  return windowDeadline(startOf(job), job.firstSeenAt, options.expirySeconds);
}

/** The one deadline the heap holds for an open job: a pending success, else a pending error, else expiry. */
export function nextDeadline(job: Job): number {
  return job.settleAt ?? job.errorAt ?? job.expireAt;
}

export interface Due {
  readonly outcome: 'success' | 'error' | 'expired';
  readonly endedAt: number;
}

/** The outcome an open job reaches at `time`, or null when it is not due yet. */
export function dueOutcome(job: Job, time: number, options: JobIndexOptions): Due | null {
  if (job.settleAt !== null)
    return job.settleAt <= time ? { outcome: 'success', endedAt: lastActivity(job) } : null;
  if (job.errorAt !== null && job.errorAt <= time && job.failing()) {
    return { outcome: 'error', endedAt: lastActivity(job) };
  }
  if (job.expireAt <= time) return { outcome: 'expired', endedAt: startOf(job) + options.expirySeconds };
  return null;
}

function lastActivity(job: Job): number {
  const latest = job.latestResponseAt ?? startOf(job);
  return job.createdAt === null ? latest : Math.max(latest, job.createdAt);
}
