import { rmSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';

/**
 * Outdated parts of the embedded store: part directories a merge has replaced, which the engine keeps
 * until its background cleanup removes them. A ClickHouse server also removes every one when a table
 * shuts down, but only when it runs as a server (StorageMergeTree::shutdown calls
 * `clearOldPartsFromFilesystem(true)` only for `ApplicationType::SERVER`, src/Storages/StorageMergeTree.cpp);
 * the embedded engine does not, so each exit left them behind and the next run added its own (each small
 * part is ~100 KB of files, whatever its rows). The store therefore lists them before closing and removes
 * them once the engine has let go of the directory, as the server would.
 */

/**
 * Directories of the outdated parts of the store's own tables. Merges are stopped first (for this
 * process only: the engine keeps that in memory), so none finishing during the close adds one unseen.
 */
export async function outdatedPartPaths(client: ClickHouseClient): Promise<string[]> {
  await client.command({ query: 'SYSTEM STOP MERGES' });
  const result = await client.query({
    query: 'SELECT path FROM system.parts WHERE active = 0 AND database = currentDatabase()',
    format: 'JSONEachRow',
  });
  return (await result.json<{ path: string }>()).map((row) => row.path);
}

/** Removes the listed part directories that lie inside `dataPath`; returns how many. */
export function removePartDirectories(dataPath: string, paths: readonly string[]): number {
  const root = resolve(dataPath) + sep;
  let removed = 0;
  for (const path of paths) {
    const full = resolve(path);
    // Only what the engine named under the store's own directory, never anything else.
    if (!full.startsWith(root) || full.length <= root.length) continue;
    rmSync(full, { recursive: true, force: true });
    removed++;
  }
  return removed;
}
