import type { ClickHouseClient } from '@clickhouse/client';
import { StoreError } from './errors.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

/**
 * Applies the schema migrations a store lacks, in order, recording each in `schema_migrations`.
 * Safe to run at every start-up and by several exporters at once: each statement is idempotent, and
 * a version is recorded only after all its statements succeeded.
 */

const LEDGER = `
CREATE TABLE IF NOT EXISTS schema_migrations
(
    version UInt32,
    name String,
    applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
ORDER BY version`;

/** The store's schema is newer than this exporter: never downgrade or guess, stop. */
export class SchemaTooNew extends StoreError {}

export interface MigrationReport {
  /** Versions applied by this run. */
  readonly applied: readonly number[];
  /** The store's schema version afterwards. */
  readonly version: number;
}

export async function appliedVersions(client: ClickHouseClient): Promise<Set<number>> {
  const result = await client.query({
    query: 'SELECT DISTINCT version FROM schema_migrations',
    format: 'JSONEachRow',
  });
  const rows = await result.json<{ version: number | string }>();
  return new Set(rows.map((row) => Number(row.version)));
}

export async function migrate(
  client: ClickHouseClient,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrationReport> {
  await client.command({ query: LEDGER });
  const done = await appliedVersions(client);
  const known = Math.max(0, ...migrations.map((m) => m.version));
  const newest = Math.max(0, ...done);
  if (newest > known) {
    throw new SchemaTooNew(
      `the store's schema is version ${newest}, newer than this exporter knows (${known}); upgrade the exporter`,
    );
  }
  const applied: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (done.has(migration.version)) continue;
    for (const statement of migration.statements) {
      try {
        await client.command({ query: statement });
      } catch (error) {
        throw new StoreError(
          `schema migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
    await client.insert({
      table: 'schema_migrations',
      values: [{ version: migration.version, name: migration.name }],
      format: 'JSONEachRow',
    });
    applied.push(migration.version);
  }
  return { applied, version: Math.max(newest, ...applied) };
}
