import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** One item of a JSON Lines input: a line's text, or the size of a line too long to hold. */
export type LineItem = { readonly line: string } | { readonly oversizedBytes: number };

/** Opens a JSONL input: `-` is stdin, a `.gz` name is gunzipped on the fly. */
export function openInput(path: string): Readable {
  // Large reads: fewer chunks, fewer turns of the line splitter and the event loop per event.
  const raw = path === '-' ? process.stdin : createReadStream(path, { highWaterMark: 1 << 20 });
  return path.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
}

/**
 * Splits a byte stream into lines without ever holding more than `maxLineBytes` of one line:
 * a longer line is skipped as it streams past and reported by its size, so a corrupt or hostile
 * file cannot grow memory.
 */
export async function* readLines(
  stream: AsyncIterable<Buffer | string>,
  maxLineBytes: number,
): AsyncGenerator<LineItem> {
  let parts: Buffer[] = [];
  let held = 0;
  let skipped = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      const piece = buf.subarray(start, nl);
      start = nl + 1;
      if (skipped > 0 || held + piece.length > maxLineBytes) {
        yield { oversizedBytes: skipped + held + piece.length };
      } else {
        yield { line: (held === 0 ? piece : Buffer.concat([...parts, piece])).toString('utf8') };
      }
      parts = [];
      held = 0;
      skipped = 0;
    }
    const rest = buf.subarray(start);
    if (rest.length === 0) continue;
    if (skipped > 0 || held + rest.length > maxLineBytes) {
      skipped += held + rest.length;
      parts = [];
      held = 0;
    } else {
      // Copy: the stream may reuse its chunk buffers.
      parts.push(Buffer.from(rest));
      held += rest.length;
    }
  }
  if (skipped > 0) yield { oversizedBytes: skipped };
  else if (held > 0) yield { line: Buffer.concat(parts).toString('utf8') };
}
