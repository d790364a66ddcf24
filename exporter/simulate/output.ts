import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { SimulatedItem } from './item.js';

/** Writing simulated traffic as lines: bare events, or relay frames as relay dumps and `nak req` give. */

export type OutputFormat = 'jsonl' | 'relay';

export function formatLine(item: SimulatedItem, format: OutputFormat): string {
  return format === 'relay' ? relayFrame(item) : item.line;
}

function relayFrame(item: SimulatedItem): string {
  // A line that is not JSON stays as it is: a garbage frame, as relays sometimes send.
  return item.expect.outcome === 'rejected' && item.expect.reason === 'bad_json'
    ? item.line
    : `["EVENT","sim",${item.line}]`;
}

/** Buffered line output with backpressure; a closed pipe (e.g. `| head`) ends generation quietly. */
export interface Output {
  add(line: string): void;
  /** A promise while the stream is full; null when writing may go on. */
  drained(): Promise<unknown> | null;
  finish(): Promise<void>;
  readonly closed: boolean;
}

export function openOutput(path: string): Output {
  const stream: Writable = path === '-' ? process.stdout : createWriteStream(path);
  let closed = false;
  let failure: Error | null = null;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    closed = true;
    if (err.code !== 'EPIPE') failure = err;
  });
  let buffer: string[] = [];
  let size = 0;
  let waiting: Promise<unknown> | null = null;
  const flush = (): void => {
    if (closed || buffer.length === 0) return;
    const ok = stream.write(`${buffer.join('\n')}\n`);
    buffer = [];
    size = 0;
    if (!ok) waiting = once(stream, 'drain').catch(() => {});
  };
  return {
    get closed() {
      return closed;
    },
    drained() {
      const pending = waiting;
      waiting = null;
      return pending;
    },
    add(line: string) {
      buffer.push(line);
      size += line.length;
      if (size >= 1 << 16) flush();
    },
    async finish() {
      flush();
      if (waiting) await waiting;
      if (stream !== process.stdout && !closed) {
        await new Promise<void>((resolve) => stream.end(resolve));
      }
      if (failure) throw new Error(`cannot write ${path}: ${(failure as Error).message}`);
    },
  };
}
