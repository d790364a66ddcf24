import type { IngestOutcome } from '../model/reasons.js';
import type { InputOrigin, Pipeline } from '../pipeline/pipeline.js';

/**
 * Offers one JSON Lines line to the pipeline. A line is either a bare event or a relay message
 * (`["EVENT", <sub>, {...}]`, what relay dumps and `nak req` write). Other relay messages (EOSE,
 * NOTICE, OK) and blank lines carry no event: null.
 */
export function offerLine(pipeline: Pipeline, line: string, origin: InputOrigin): IngestOutcome | null {
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
