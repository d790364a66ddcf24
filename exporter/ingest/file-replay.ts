import type { Pipeline } from '../pipeline/pipeline.js';
import { offerLine } from './jsonl-decoder.js';
import { DEFAULT_SORT_OPTIONS, type SortOptions, sortedLines } from './sorted-lines.js';

export interface ReplayProgress {
  /** The file being read, or SORTED_PHASE while the sorted events go through the pipeline. */
  readonly file: string;
  readonly lines: number;
}

/** What ReplayProgress.file says once every file is read and the sorted lines are being replayed. */
export const SORTED_PHASE = 'events by created_at';

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
  sort: SortOptions = DEFAULT_SORT_OPTIONS,
): Promise<void> {
  // Lines may carry a relay frame around the event: allow that overhead before calling a line oversized.
  const maxLineBytes = pipeline.maxEventBytes + 1024;
  let lines = 0;
  for await (const item of sortedLines(files, maxLineBytes, sort, onProgress)) {
    lines++;
    if ('oversizedBytes' in item) pipeline.rejectOversized(item.oversizedBytes);
    else offerLine(pipeline, item.line, { relay: null });
    pipeline.tick();
    const wait = pipeline.capacity();
    if (wait) await wait;
    if ((lines & 1023) === 0) onProgress({ file: SORTED_PHASE, lines });
  }
  onProgress({ file: SORTED_PHASE, lines });
  pipeline.drain();
}
