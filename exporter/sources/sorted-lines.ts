import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { type LineItem, openInput, readLines } from './line-reader.js';

/**
 * The lines of several JSON Lines inputs in one canonical order: by the event's created_at, then its
 * id, then the line's text. Whatever order the lines and files come in, the same multiset of lines
 * comes out in the same order, so a replay's outputs depend on the events alone.
 *
 * An external merge sort: lines are held up to `runBytes` at a time; a full run is sorted and spilled
 * to a temporary file, and the runs are merged at the end (at most MAX_FAN_IN files open at once).
 * Memory stays bounded by `runBytes` whatever the input size; small inputs never touch the disk.
 * Lines that carry no event (blank, not JSON, EOSE/NOTICE frames) and oversized lines have no place
 * in the order: they are passed on as they are read, before every event line.
 */

export interface SortOptions {
  /** Line text held in memory before a run is spilled to disk (UTF-16 code units, about bytes). */
  readonly runBytes: number;
  /** Where runs are spilled; the system temporary directory by default. */
  readonly tmpDir?: string;
}

export const DEFAULT_SORT_OPTIONS: SortOptions = { runBytes: 32 * 1024 * 1024 };

/** How many runs are merged in one pass (one open file each). */
const MAX_FAN_IN = 64;

/** Bytes of a spilled record beyond its line: created_at, the quoted id, two tabs. */
const KEY_OVERHEAD = 256;

interface Keyed {
  readonly createdAt: number;
  readonly id: string;
  readonly line: string;
}

export interface ReadProgress {
  readonly file: string;
  readonly lines: number;
  /** The last report for this file. */
  readonly finished: boolean;
}

function compare(a: Keyed, b: Keyed): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return a.line < b.line ? -1 : a.line > b.line ? 1 : 0;
}

/**
 * The order key of a line that holds an event (bare or in an `["EVENT", ...]` frame), else null.
 * Shape is not judged here: an event with an unusable created_at sorts first and is rejected later.
 */
export function sortKey(line: string): Keyed | null {
  const text = line.trim();
  if (text === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (Array.isArray(value)) {
    if (value[0] !== 'EVENT') return null;
    value = value.length >= 3 ? value[2] : value[1];
  }
  if (typeof value !== 'object' || value === null) return null;
  const { created_at: createdAt, id } = value as { created_at?: unknown; id?: unknown };
  return {
    createdAt: typeof createdAt === 'number' && Number.isFinite(createdAt) ? createdAt : -Infinity,
    id: typeof id === 'string' ? id : '',
    line,
  };
}

/** Yields every line of `files` (see the module comment for the order). */
export async function* sortedLines(
  files: readonly string[],
  maxLineBytes: number,
  options: SortOptions = DEFAULT_SORT_OPTIONS,
  onRead: (progress: ReadProgress) => void = () => {},
): AsyncGenerator<LineItem> {
  const spill = new SpillDir(options.tmpDir ?? tmpdir());
  try {
    let run: Keyed[] = [];
    let held = 0;
    const runs: string[] = [];
    for (const file of files) {
      let lines = 0;
      for await (const item of readLines(openInput(file), maxLineBytes)) {
        lines++;
        if ((lines & 1023) === 0) onRead({ file, lines, finished: false });
        const keyed = 'line' in item ? sortKey(item.line) : null;
        if (keyed === null) {
          yield item;
          continue;
        }
        run.push(keyed);
        held += keyed.line.length + 64;
        if (held >= options.runBytes) {
          runs.push(await spill.write(run.sort(compare)));
          run = [];
          held = 0;
        }
      }
      onRead({ file, lines, finished: true });
    }
    run.sort(compare);
    if (runs.length === 0) {
      for (const keyed of run) yield { line: keyed.line };
      return;
    }
    if (run.length > 0) runs.push(await spill.write(run));
    run = [];
    const recordBytes = maxLineBytes + KEY_OVERHEAD;
    while (runs.length > MAX_FAN_IN) {
      const group = runs.splice(0, MAX_FAN_IN);
      runs.push(await spill.writeAll(merge(group, recordBytes)));
      for (const path of group) spill.remove(path);
    }
    for await (const keyed of merge(runs, recordBytes)) yield { line: keyed.line };
  } finally {
    spill.close();
  }
}

/** A run on disk: one record per line, `created_at TAB JSON(id) TAB line`. */
function encode(keyed: Keyed): string {
  return `${keyed.createdAt}\t${JSON.stringify(keyed.id)}\t${keyed.line}\n`;
}

function decode(record: string): Keyed {
  const first = record.indexOf('\t');
  const second = record.indexOf('\t', first + 1);
  return {
    createdAt: Number(record.slice(0, first)),
    id: JSON.parse(record.slice(first + 1, second)) as string,
    line: record.slice(second + 1),
  };
}

async function* readRun(path: string, recordBytes: number): AsyncGenerator<Keyed> {
  for await (const item of readLines(createReadStream(path), recordBytes)) {
    // Records were written by this module from lines within the limit: never oversized.
    if ('line' in item) yield decode(item.line);
  }
}

/** k-way merge of sorted runs through a small binary heap of their heads. */
async function* merge(paths: readonly string[], recordBytes: number): AsyncGenerator<Keyed> {
  const sources = paths.map((path) => readRun(path, recordBytes));
  const heap: { head: Keyed; source: AsyncGenerator<Keyed> }[] = [];
  const before = (i: number, j: number) => compare(heap[i]!.head, heap[j]!.head) < 0;
  const swap = (i: number, j: number) => {
    const t = heap[i]!;
    heap[i] = heap[j]!;
    heap[j] = t;
  };
  const down = (start: number) => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(l, m)) m = l;
      if (r < heap.length && before(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (const source of sources) {
    const first = await source.next();
    if (!first.done) heap.push({ head: first.value, source });
  }
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
  while (heap.length > 0) {
    const top = heap[0]!;
    yield top.head;
    const next = await top.source.next();
    if (next.done) {
      const last = heap.pop()!;
      if (heap.length > 0) heap[0] = last;
    } else {
      top.head = next.value;
    }
    down(0);
  }
}

/** The temporary directory of one sort, removed with everything in it when the sort ends. */
class SpillDir {
  private dir: string | null = null;
  private next = 0;

  constructor(private readonly parent: string) {}

  async write(records: readonly Keyed[]): Promise<string> {
    const { path, out } = this.open();
    for (const keyed of records) if (!out.write(encode(keyed))) await once(out, 'drain');
    return this.end(path, out);
  }

  async writeAll(records: AsyncIterable<Keyed>): Promise<string> {
    const { path, out } = this.open();
    for await (const keyed of records) if (!out.write(encode(keyed))) await once(out, 'drain');
    return this.end(path, out);
  }

  remove(path: string): void {
    rmSync(path, { force: true });
  }

  close(): void {
    if (this.dir !== null) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }

  private open(): { path: string; out: WriteStream } {
    this.dir ??= mkdtempSync(join(this.parent, 'dvm-exporter-sort-'));
    const path = join(this.dir, `run-${this.next++}.tsv`);
    return { path, out: createWriteStream(path) };
  }

  private async end(path: string, out: WriteStream): Promise<string> {
    out.end();
    await finished(out);
    return path;
  }
}
