/**
 * Per-relay resume point: the newest created_at whose events are safely handed to the sinks.
 * Backed by a state file first, by the ClickHouse store when one is configured.
 */
export interface CursorStore {
  /** Cursor for each relay URL; relays never seen are absent. */
  load(): Promise<Map<string, number>>;
  /** Persist cursors (called after the sinks flushed what they cover). */
  save(cursors: ReadonlyMap<string, number>): Promise<void>;
  close(): Promise<void>;
}
