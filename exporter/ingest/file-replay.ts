import type { Pipeline } from '../pipeline/pipeline.js';
import { offerLine } from './jsonl-decoder.js';
import { openInput, readLines } from './line-reader.js';

export interface ReplayProgress {
  readonly file: string;
  readonly lines: number;
  /** The last report for this file. */
  readonly finished: boolean;
}

/**
 * Feeds JSON Lines files through the pipeline in order, honouring sink backpressure, then drains the
 * job index so every job reaches its final outcome. The sinks are flushed by the caller.
 */
export async function replayFiles(
  pipeline: Pipeline,
  files: readonly string[],
  onProgress: (progress: ReplayProgress) => void = () => {},
): Promise<void> {
  // Lines may carry a relay frame around the event: allow that overhead before calling a line oversized.
  const maxLineBytes = pipeline.maxEventBytes + 1024;
  for (const file of files) {
    let lines = 0;
    for await (const item of readLines(openInput(file), maxLineBytes)) {
      lines++;
      if ('oversizedBytes' in item) pipeline.rejectOversized(item.oversizedBytes);
      else offerLine(pipeline, item.line, { relay: null });
      pipeline.tick();
      const wait = pipeline.capacity();
      if (wait) await wait;
      if ((lines & 1023) === 0) onProgress({ file, lines, finished: false });
    }
    onProgress({ file, lines, finished: true });
  }
  pipeline.drain();
}
