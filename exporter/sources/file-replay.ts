import type { Pipeline } from '../pipeline/pipeline.js';
import { OrderedIngest } from '../verify/ordered-ingest.js';
import type { VerifyPool } from '../verify/verify-pool.js';
import { offerLine } from './jsonl-decoder.js';
import { DEFAULT_SORT_OPTIONS, type ReadProgress, type SortOptions, sortedLines } from './sorted-lines.js';

/** Progress per file while reading, then for SORTED_PHASE while the sorted events go through the pipeline. */
export type ReplayProgress = ReadProgress;

/** What ReplayProgress.file says once every file is read and the sorted lines are being replayed. */
export const SORTED_PHASE = 'events by created_at';

export interface ReplayOptions {
  readonly sort?: SortOptions;
  /** Verifying threads; without them the pipeline verifies on this thread. */
  readonly verifyPool?: VerifyPool | null;
}

/**
 * Feeds JSON Lines files through the pipeline, honouring sink backpressure, then drains the job index
 * so every job reaches its final outcome. The sinks are flushed by the caller.
 *
 * The lines go in by created_at (then id), not as read (sorted-lines.ts): replay's clock is event time,
 * so the settle windows, expiry and horizon see the events as they happened, and any order of the same
 * lines, within a file or across files, gives the same outputs.
 */
export async function replayFiles(
  pipeline: Pipeline,
  files: readonly string[],
  onProgress: (progress: ReplayProgress) => void = () => {},
  { sort = DEFAULT_SORT_OPTIONS, verifyPool = null }: ReplayOptions = {},
): Promise<void> {
  // Lines may carry a relay frame around the event: allow that overhead before calling a line oversized.
  const maxLineBytes = pipeline.maxEventBytes + 1024;
  // With verifying threads, each line is applied (and job time ticks) in its turn, a little later.
  const ordered = verifyPool ? new OrderedIngest(pipeline, verifyPool, () => pipeline.tick()) : null;
  let lines = 0;
  for await (const item of sortedLines(files, maxLineBytes, sort, onProgress)) {
    lines++;
    if (ordered) {
      if ('oversizedBytes' in item) ordered.rejectOversized(item.oversizedBytes);
      else if (offerLine(ordered, item.line, ORIGIN) === null) ordered.ingestNothing();
      const room = ordered.room();
      if (room) await room;
    } else {
      if ('oversizedBytes' in item) pipeline.rejectOversized(item.oversizedBytes);
      else offerLine(pipeline, item.line, ORIGIN);
      pipeline.tick();
    }
    const wait = pipeline.capacity();
    if (wait) await wait;
    if ((lines & 1023) === 0) onProgress({ file: SORTED_PHASE, lines, finished: false });
  }
  onProgress({ file: SORTED_PHASE, lines, finished: true });
  await ordered?.settle();
  pipeline.drain();
}

const ORIGIN = { relay: null };
