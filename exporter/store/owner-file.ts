import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StoreError } from './errors.js';
import { isLoopbackHost } from './loopback.js';

/**
 * `<dataDir>/store-owner.json`: written by the exporter process that holds the embedded store, so
 * `dvm-exporter sql` knows the directory is taken and where that process answers SQL:
 * `{"pid":123,"mode":"run","sqlUrl":"http://127.0.0.1:9890/api/sql","startedAt":"...","version":"..."}`.
 * `sqlUrl` is null when the holder serves no SQL (a `replay`, or the endpoint turned off). A file
 * whose pid is no longer alive is stale (the holder crashed) and ignored.
 */
export const OWNER_FILE = 'store-owner.json';

export interface StoreOwner {
  readonly pid: number;
  readonly mode: string;
  readonly sqlUrl: string | null;
  readonly startedAt: string;
  readonly version: string;
}

export function writeOwner(dataDir: string, owner: StoreOwner): void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, OWNER_FILE);
  writeFileSync(`${path}.${owner.pid}.tmp`, `${JSON.stringify(owner)}\n`);
  renameSync(`${path}.${owner.pid}.tmp`, path);
}

/** The live owner of the store in `dataDir`, or null (no file, unreadable, or its process is gone). */
export function readLiveOwner(dataDir: string): StoreOwner | null {
  let owner: StoreOwner;
  try {
    owner = JSON.parse(readFileSync(join(dataDir, OWNER_FILE), 'utf8')) as StoreOwner;
  } catch {
    return null;
  }
  return typeof owner.pid === 'number' && isAlive(owner.pid) ? owner : null;
}

/** "process 123 (dvm-exporter replay, since 2026-01-01T00:00:00.000Z)": who holds a store, for messages. */
export function describeOwner(owner: StoreOwner): string {
  return `process ${owner.pid} (dvm-exporter ${owner.mode}, since ${owner.startedAt})`;
}

/**
 * Refuses, with one line naming the holder, a data directory whose store another live process holds.
 * Checked before opening: the engine's own refusal prints a raw exception on stderr first.
 */
export function assertStoreFree(dataDir: string): void {
  const owner = readLiveOwner(dataDir);
  if (owner && owner.pid !== process.pid) {
    throw new StoreError(
      `the store in ${dataDir} is in use by ${describeOwner(owner)}; stop it or use another --data-dir`,
    );
  }
}

/** Removes the file if this process wrote it (a successor may already have replaced it). */
export function removeOwner(dataDir: string, pid: number = process.pid): void {
  try {
    const owner = JSON.parse(readFileSync(join(dataDir, OWNER_FILE), 'utf8')) as StoreOwner;
    if (owner.pid === pid) rmSync(join(dataDir, OWNER_FILE), { force: true });
  } catch {
    // Nothing to remove.
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Where a process listening on `listen` (HOST:PORT) answers SQL from this machine; null for port 0. */
export function localSqlUrl(listen: string, path: string): string | null {
  const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(listen);
  if (!match || match[2] === '0') return null;
  const host = match[1] as string;
  const local = host === '0.0.0.0' || host === '*' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host;
  // The endpoint answers loopback peers only: a server bound to another address cannot be asked.
  if (!isLoopbackHost(local)) return null;
  return `http://${local}:${match[2]}${path}`;
}
