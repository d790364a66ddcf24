import type { Pipeline } from '../pipeline/pipeline.js';
import { OrderedIngest } from '../verify/ordered-ingest.js';
import type { VerifyPool } from '../verify/verify-pool.js';
import { offerLine } from './jsonl-decoder.js';
import { openInput, readLines } from './line-reader.js';

export interface ReplayProgress {
  readonly file: string;
  readonly lines: number;
}

/**
 * Feeds JSON Lines files through the pipeline in order, honouring sink backpressure, then drains the
 * job index so every job reaches its final outcome. The sinks are flushed by the caller.
 */
export async function replayFiles(
  pipeline: Pipeline,
  files: readonly string[],
  onProgress: (progress: ReplayProgress) => void = () => {},
  verifyPool: VerifyPool | null = null,
): Promise<void> {
  // Lines may carry a relay frame around the event: allow that overhead before calling a line oversized.
  const maxLineBytes = pipeline.maxEventBytes + 1024;
  // With verifying threads, each line is applied (and job time ticks) in its turn, a little later.
  const ordered = verifyPool ? new OrderedIngest(pipeline, verifyPool, () => pipeline.tick()) : null;
  for (const file of files) {
    let lines = 0;
    for await (const item of readLines(openInput(file), maxLineBytes)) {
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
      if ((lines & 1023) === 0) onProgress({ file, lines });
    }
    onProgress({ file, lines });
  }
  await ordered?.settle();
  pipeline.drain();
}

const ORIGIN = { relay: null };
