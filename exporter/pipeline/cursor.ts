/**
 * Per-relay resume point: the newest created_at whose events are safely handed to the sinks.
 * Backed by a state file first, by the ClickHouse store when one is configured.
 */
export interface CursorStore {
  /** Cursor for each relay URL; relays never seen are absent. */
  load(): Promise<Map<string, number>>;
  /**
   * Persist cursors (called after the sinks flushed what they cover). `recentIds` (event id -> created_at)
   * are the events accepted inside the window a restart reads again (cursor minus the safety margin);
   * saved in the same write so that a restart neither loses nor recounts them.
   */
  save(cursors: ReadonlyMap<string, number>, recentIds?: ReadonlyMap<string, number>): Promise<void>;
  /** The `recentIds` of the last save; a store that does not keep them may omit this. */
  loadRecentIds?(): Promise<Map<string, number>>;
  close(): Promise<void>;
}
