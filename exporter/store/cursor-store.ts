import type { ClickHouseClient } from '@clickhouse/client';
import { type Clock, systemClock } from '../base/clock.js';
import type { CursorStore } from '../pipeline/cursor.js';

/** The `relay_cursors` row that holds the recent ids rather than a relay's cursor. */
const RECENT_IDS_ROW = '';

/**
 * Relay cursors kept in the store (`relay_cursors`), beside the events they cover. `save` first waits
 * for `beforeSave` (the store sink's flush), so a cursor is never written ahead of its events: after a
 * crash or an outage the next backfill starts from a point whose events are all stored. Cursors and
 * recent ids go in one insert, so a save is all or nothing.
 */
export class StoreCursorStore implements CursorStore {
  private lastSavedMs = 0;

  constructor(
    private readonly client: ClickHouseClient,
    private readonly beforeSave: () => Promise<void> = async () => {},
    private readonly clock: Clock = systemClock,
  ) {}

  async load(): Promise<Map<string, number>> {
    const rows = await this.select<{ relay: string; cursor: number | string }>(
      `SELECT relay, argMax(cursor, saved_at) AS cursor FROM relay_cursors WHERE relay != '' GROUP BY relay`,
    );
    return new Map(rows.map((row) => [row.relay, Number(row.cursor)]));
  }

  async loadRecentIds(): Promise<Map<string, number>> {
    const [row] = await this.select<{ ids: Record<string, number | string> }>(
      `SELECT argMax(recent_ids, saved_at) AS ids FROM relay_cursors WHERE relay = '' HAVING count() > 0`,
    );
    return new Map(Object.entries(row?.ids ?? {}).map(([id, createdAt]) => [id, Number(createdAt)]));
  }

  async save(cursors: ReadonlyMap<string, number>, recentIds?: ReadonlyMap<string, number>): Promise<void> {
    await this.beforeSave();
    // Strictly increasing save times, so the newest save wins even within one millisecond.
    const savedAt = Math.max(Math.round(this.clock.now() * 1000), this.lastSavedMs + 1);
    this.lastSavedMs = savedAt;
    const rows = [...cursors]
      .filter(([relay]) => relay !== RECENT_IDS_ROW)
      .map(([relay, cursor]) => ({ relay, cursor: Math.floor(cursor), recent_ids: {}, saved_at: savedAt }));
    rows.push({
      relay: RECENT_IDS_ROW,
      cursor: 0,
      recent_ids: Object.fromEntries(recentIds ?? []),
      saved_at: savedAt,
    });
    await this.client.insert({ table: 'relay_cursors', values: rows, format: 'JSONEachRow' });
  }

  /** The store belongs to the sink, which closes it. */
  async close(): Promise<void> {}

  private async select<T>(query: string): Promise<T[]> {
    const result = await this.client.query({
      query,
      format: 'JSONEachRow',
      clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
    });
    return result.json<T>();
  }
}
