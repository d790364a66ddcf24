import { mkdirSync, realpathSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import type { Session } from 'chdb';
import type { ChdbConnection } from 'chdb/connection';
import { StoreError } from './errors.js';

/**
 * The embedded engine binds one data directory per process (and must live on the main thread), so
 * every connection the exporter opens goes through this one slot: connections to the bound directory
 * are handed out freely, a different directory is refused with a clear error, and the slot is freed
 * once the last connection is closed and the engine has finished every pending operation.
 */

/** A connection to the bound directory: a client connection, or a native session. */
interface Closable {
  close(): unknown;
}

interface Slot {
  readonly path: string;
  readonly connections: Set<Closable>;
}

let slot: Slot | null = null;
/** Set while the last connection closes: opening waits for it so the engine is never half-released. */
let releasing: Promise<void> | null = null;

/** Absolute, symlink-free path of a data directory (created when `create` is set). */
export function resolveDataPath(path: string, create: boolean): string {
  if (create) mkdirSync(path, { recursive: true });
  try {
    return realpathSync(path);
  } catch {
    throw new StoreError(`no embedded store at ${path}`);
  }
}

/** The directory the engine is bound to in this process, if any. */
export function boundChdbPath(): string | null {
  return slot?.path ?? null;
}

export async function openChdbConnection(path: string): Promise<ChdbConnection> {
  await claimSlot(path);
  // Loaded on first use: the engine is a large native library that commands without a store
  // (--help, simulate, a store on a server) should not pay for.
  const { createChdbConnection } = await import('chdb/connection');
  return register(path, () => createChdbConnection({ path }));
}

/**
 * A native session on the bound directory whose settings are fixed when it is created
 * (`connectionArgs`, e.g. `--readonly=1`), before any query could run on it.
 */
export async function openChdbSession(path: string, settings: readonly string[]): Promise<Session> {
  await claimSlot(path);
  const { Session } = await import('chdb');
  return register(path, () => new Session(path, { connectionArgs: settings }));
}

async function claimSlot(path: string): Promise<void> {
  if (!isMainThread) {
    throw new StoreError('the embedded ClickHouse engine can only run on the main thread, not in a worker');
  }
  if (releasing) await releasing;
  if (slot && slot.path !== path) {
    throw new StoreError(
      `the embedded store ${slot.path} is already open in this process; one data directory per process`,
    );
  }
}

function register<T extends Closable>(path: string, open: () => T): T {
  if (slot && slot.path !== path) {
    throw new StoreError(`the embedded store ${slot.path} is already open in this process`);
  }
  let connection: T;
  try {
    connection = open();
  } catch (error) {
    throw new StoreError(describeOpenFailure(path, error), { cause: error });
  }
  slot ??= { path, connections: new Set() };
  slot.connections.add(connection);
  return connection;
}

/** Closes one connection; the last one out waits until the engine has really let go of the directory. */
export async function closeChdbConnection(connection: Closable): Promise<void> {
  const current = slot;
  if (!current?.connections.delete(connection)) return;
  await connection.close();
  if (current.connections.size > 0) return;
  slot = null;
  const { drainPending } = await import('chdb');
  releasing = drainPending().finally(() => {
    releasing = null;
  });
  await releasing;
}

function describeOpenFailure(path: string, error: unknown): string {
  const text = [error, (error as { cause?: unknown })?.cause]
    .map((e) => (e instanceof Error ? e.message : String(e ?? '')))
    .join(' ');
  if (
    /lock|already running|another/i.test(text) ||
    (error as { code?: unknown })?.code === 'CHDB_CONNECTION'
  ) {
    return `cannot open the embedded store ${path}: another process holds it`;
  }
  return `cannot open the embedded store ${path}: ${text.split('\n')[0]}`;
}
