import type { InputOrigin } from '../pipeline/pipeline.js';

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
  // ["EVENT", sub, event] from relays; ["EVENT", event] as clients publish it.
  const event: unknown = frame.length >= 3 ? frame[2] : frame[1];
  return pipeline.ingestValue(event, Buffer.byteLength(text), origin);
}
