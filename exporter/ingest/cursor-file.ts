import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CursorStore } from './cursor.js';

interface CursorFileV1 {
  readonly version: 1;
  readonly relays: Record<string, number>;
}

/**
 * Cursors in a small JSON file (`<dataDir>/cursors.json`). Each save writes a temporary file, syncs it
 * and renames it over the old one, so a crash leaves either the old or the new cursors, never half a file.
 * A file that cannot be read is moved aside (and reported) rather than blocking the start: the exporter
 * then backfills its initial window, which at worst fetches events again.
 */
export class FileCursorStore implements CursorStore {
  constructor(
    readonly path: string,
    private readonly warn: (message: string) => void = () => {},
  ) {}

  async load(): Promise<Map<string, number>> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw err;
    }
    const cursors = parseCursorFile(text);
    if (cursors === null) {
      const aside = `${this.path}.unreadable-${Date.now()}`;
      await rename(this.path, aside);
      this.warn(`cursor file ${this.path} is not valid; moved to ${aside} and starting without cursors`);
      return new Map();
    }
    return cursors;
  }

  async save(cursors: ReadonlyMap<string, number>): Promise<void> {
    const body: CursorFileV1 = {
      version: 1,
      relays: Object.fromEntries([...cursors].sort(([a], [b]) => a.localeCompare(b))),
    };
    const dir = dirname(this.path);
    await mkdir(dir, { recursive: true });
    const temp = `${this.path}.tmp-${process.pid}`;
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(`${JSON.stringify(body, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, this.path);
    await syncDirectory(dir);
  }

  async close(): Promise<void> {}
}

/** The cursors of a cursor file, or null when the text is not one. */
export function parseCursorFile(text: string): Map<string, number> | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const doc = value as { version?: unknown; relays?: unknown };
  if (doc.version !== 1 || typeof doc.relays !== 'object' || doc.relays === null || Array.isArray(doc.relays))
    return null;
  const out = new Map<string, number>();
  for (const [url, cursor] of Object.entries(doc.relays)) {
    if (typeof cursor !== 'number' || !Number.isSafeInteger(cursor) || cursor < 0) return null;
    out.set(url, cursor);
  }
  return out;
}

/** Makes the rename durable; some platforms cannot open a directory, which only costs that guarantee. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not supported here (e.g. Windows); the rename itself is still atomic.
  }
}
