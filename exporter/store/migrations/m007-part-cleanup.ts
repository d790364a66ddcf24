import type { Migration } from './types.js';

/**
 * Outdated parts (the ones a merge replaced) are removed by each table's cleanup task, which the
 * embedded engine runs too. Its period adapts to the work found: it sleeps
 * `cleanup_delay_period` x (preferred points / points cleaned), clamped to
 * [`cleanup_delay_period`, `max_cleanup_delay_period`], plus up to `cleanup_delay_period_random_add`
 * (IMergeTreeCleanupThread::run, src/Storages/MergeTree/IMergeTreeCleanupThread.cpp, ClickHouse PR
 * #91574, in the engine chdb 3.4 ships, v26.7.2.1-stable). With the defaults (30 s, 300 s, 10 s) a table
 * written once a second, as `run` writes, cleans too few parts per pass to shorten its sleep and is
 * woken early only past 300 outdated parts (wakeupEarlierIfNeeded, same file): it holds half a minute
 * to five minutes of parts, ~100 KB of files each. These bounds make every table clean up
 * within 5 s; its `merge_tree_clear_old_parts_interval_seconds` gate (1 s, pinned here) then lets each
 * pass remove what it finds (MergeTreeCleanupThread::iterate). A part is removed once no query holds it
 * and `old_parts_lifetime` has passed: 0 in the embedded engine (chdb's default), 480 s on a server,
 * which keeps it against a crash before the merged part reached the disk; that is left to the server's
 * operator. Tables that load with these settings run the new period from their first pass; a table
 * altered while open takes it after its next pass.
 */

export const CLEANUP_SETTINGS = {
  cleanup_delay_period: 1,
  max_cleanup_delay_period: 4,
  cleanup_delay_period_random_add: 1,
  merge_tree_clear_old_parts_interval_seconds: 1,
} as const;

/** Every MergeTree table of the schema, the ledger included. */
export const MERGE_TREE_TABLES = [
  'schema_migrations',
  'events',
  'relay_sightings',
  'dvm_announcements',
  'relay_cursors',
  'events_daily',
  'dvm_daily',
] as const;

const settings = Object.entries(CLEANUP_SETTINGS)
  .map(([name, value]) => `${name} = ${value}`)
  .join(', ');

export const m007PartCleanup: Migration = {
  version: 7,
  name: 'outdated parts removed within seconds, not minutes',
  statements: MERGE_TREE_TABLES.map((table) => `ALTER TABLE ${table} MODIFY SETTING ${settings}`),
};
