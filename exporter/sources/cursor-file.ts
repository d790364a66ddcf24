import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CursorStore } from '../pipeline/cursor.js';

interface CursorFileV1 {
  readonly version: 1;
  readonly relays: Record<string, number>;
  /** Event id -> created_at of events accepted inside the window a restart reads again. */
  readonly recent?: Record<string, number>;
}

interface CursorState {
  readonly cursors: Map<string, number>;
  readonly recent: Map<string, number>;
}

/**
 * Cursors (and the recently accepted ids) in a small JSON file (`<dataDir>/cursors.json`). Each save writes a temporary file, syncs it
 * and renames it over the old one, so a crash leaves either the old or the new cursors, never half a file.
 * A file that cannot be read is moved aside (and reported) rather than blocking the start: the exporter
 * then backfills its initial window, which at worst fetches events again.
 */
export class FileCursorStore implements CursorStore {
  private state: CursorState | undefined;

  constructor(
    readonly path: string,
    private readonly warn: (message: string) => void = () => {},
  ) {}

  async load(): Promise<Map<string, number>> {
    return (await this.read()).cursors;
  }

  async loadRecentIds(): Promise<Map<string, number>> {
    return (await this.read()).recent;
  }

  async save(cursors: ReadonlyMap<string, number>, recentIds?: ReadonlyMap<string, number>): Promise<void> {
    const body: CursorFileV1 = {
      version: 1,
      relays: Object.fromEntries([...cursors].sort(([a], [b]) => a.localeCompare(b))),
      ...(recentIds && recentIds.size > 0 ? { recent: Object.fromEntries(recentIds) } : {}),
    };
    this.state = { cursors: new Map(cursors), recent: new Map(recentIds ?? []) };
    const dir = dirname(this.path);
    await mkdir(dir, { recursive: true });
    const temp = `${this.path}.tmp-${process.pid}`;
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(`${JSON.stringify(body)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, this.path);
    await syncDirectory(dir);
  }

  private async read(): Promise<CursorState> {
    this.state ??= await this.readFile();
    return this.state;
  }

  private async readFile(): Promise<CursorState> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { cursors: new Map(), recent: new Map() };
      throw err;
    }
    const state = parseCursorFile(text);
    if (state === null) {
      const aside = `${this.path}.unreadable-${Date.now()}`;
      await rename(this.path, aside);
      this.warn(`cursor file ${this.path} is not valid; moved to ${aside} and starting without cursors`);
      return { cursors: new Map(), recent: new Map() };
    }
    return state;
  }

  async close(): Promise<void> {}
}

/** The cursors and recent ids of a cursor file, or null when the text is not one. */
export function parseCursorFile(text: string): CursorState | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const doc = value as { version?: unknown; relays?: unknown; recent?: unknown };
  if (doc.version !== 1) return null;
  const cursors = timestamps(doc.relays);
  const recent = doc.recent === undefined ? new Map<string, number>() : timestamps(doc.recent);
  return cursors && recent ? { cursors, recent } : null;
}

/** A JSON object of non-negative integer timestamps as a map, or null. */
function timestamps(value: unknown): Map<string, number> | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const out = new Map<string, number>();
  for (const [key, n] of Object.entries(value)) {
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) return null;
    out.set(key, n);
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
