import type { ClickHouseClient } from '@clickhouse/client';
import type { CursorStore } from '../ingest/cursor.js';
import { type Clock, systemClock } from '../util/clock.js';

/**
 * Relay cursors kept in the store (`relay_cursors`), beside the events they cover. `save` first waits
 * for `beforeSave` (the store sink's flush), so a cursor is never written ahead of its events: after a
 * crash or an outage the next backfill starts from a point whose events are all stored.
 */
export class StoreCursorStore implements CursorStore {
  private lastSavedMs = 0;

  constructor(
    private readonly client: ClickHouseClient,
    private readonly beforeSave: () => Promise<void> = async () => {},
    private readonly clock: Clock = systemClock,
  ) {}

  async load(): Promise<Map<string, number>> {
    const result = await this.client.query({
      query: 'SELECT relay, argMax(cursor, saved_at) AS cursor FROM relay_cursors GROUP BY relay',
      format: 'JSONEachRow',
    });
    const rows = await result.json<{ relay: string; cursor: number | string }>();
    return new Map(rows.map((row) => [row.relay, Number(row.cursor)]));
  }

  async save(cursors: ReadonlyMap<string, number>): Promise<void> {
    await this.beforeSave();
    if (cursors.size === 0) return;
    // Strictly increasing save times, so the newest save wins even within one millisecond.
    const savedAt = Math.max(Math.round(this.clock.now() * 1000), this.lastSavedMs + 1);
    this.lastSavedMs = savedAt;
    await this.client.insert({
      table: 'relay_cursors',
      values: [...cursors].map(([relay, cursor]) => ({
        relay,
        cursor: Math.floor(cursor),
        saved_at: savedAt,
      })),
      format: 'JSONEachRow',
    });
  }

  /** The store belongs to the sink, which closes it. */
  async close(): Promise<void> {}
}
