import type { InputOrigin } from '../pipeline/pipeline.js';
import { eventFrameOverhead } from './relay/frames.js';

/** What takes decoded lines: the pipeline (outcomes now) or the threaded dispatcher (outcomes later). */
export interface LineTarget<T> {
  ingestText(text: string, origin: InputOrigin): T;
  ingestValue(value: unknown, sizeBytes: number, origin: InputOrigin): T;
  rejectUnreadable(detail: string): T;
}

/**
 * Offers one JSON Lines line to the pipeline. A line is either a bare event or a relay message
 * (`["EVENT", <sub>, {...}]`, what relay dumps and `nak req` write). Other relay messages (EOSE,
 * NOTICE, OK) and blank lines carry no event: null.
 */
export function offerLine<T>(pipeline: LineTarget<T>, line: string, origin: InputOrigin): T | null {
  const text = line.trim();
  if (text === '') return null;
  if (text.charCodeAt(0) !== 91 /* [ */) return pipeline.ingestText(text, origin);
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return pipeline.rejectUnreadable('line is not valid JSON');
  }
  if (!Array.isArray(frame) || typeof frame[0] !== 'string') {
    return pipeline.rejectUnreadable('line is a JSON array but not a relay message');
  }
  if (frame[0] !== 'EVENT') return null;
  // ["EVENT", sub, event] from relays; ["EVENT", event] as clients publish it. The size limit applies to
  // the event, not to its frame: the same event is accepted or refused alike, bare or framed.
  const framed = frame.length >= 3;
  const event: unknown = framed ? frame[2] : frame[1];
  const sub = framed && typeof frame[1] === 'string' ? frame[1] : null;
  const overhead = framed && sub === null ? 0 : eventFrameOverhead(sub);
  return pipeline.ingestValue(event, Math.max(0, Buffer.byteLength(text) - overhead), origin);
}
