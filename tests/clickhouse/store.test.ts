import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../exporter/base/clock.js';
import { boundChdbPath } from '../../exporter/store/chdb-slot.js';
import { StoreCursorStore } from '../../exporter/store/cursor-store.js';
import { migrate, SchemaTooNew } from '../../exporter/store/migrate.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../exporter/store/migrations/index.js';
import { Store } from '../../exporter/store/store.js';
import { rows, scalar, tempDataDir } from './helpers.js';

const dataDir = tempDataDir('migrations');
let store: Store;

beforeAll(async () => {
  store = await Store.open({ kind: 'embedded', path: `${dataDir}/clickhouse` }, { create: true });
});
afterAll(async () => {
  await store?.close();
});

const EXPECTED_OBJECTS = [
  'dvm_activity',
  'dvm_announcements',
  'dvm_daily',
  'dvm_daily_mv',
  'dvm_heartbeats',
  'dvm_profiles',
  'dvms',
  'events',
  'events_daily',
  'events_daily_mv',
  'job_chain_parents',
  'job_requests',
  'job_responses',
  'job_responses_base',
  'job_roots',
  'jobs',
  'relay_cursors',
  'relay_sightings',
  'schema_migrations',
];

async function tableNames(): Promise<string[]> {
  const list = await rows<{ name: string }>(
    store,
    'SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name',
  );
  return list.map((row) => row.name);
}

describe('schema migrations', () => {
  it('build the whole schema on an empty store and record every version', async () => {
    expect(await tableNames()).toEqual([]);
    const report = await store.migrate();
    expect(report.applied).toEqual(MIGRATIONS.map((m) => m.version));
    expect(report.version).toBe(SCHEMA_VERSION);
    expect(await tableNames()).toEqual(EXPECTED_OBJECTS);
    const ledger = await rows<{ version: number }>(
      store,
      'SELECT version FROM schema_migrations FINAL ORDER BY version',
    );
    expect(ledger.map((row) => row.version)).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('apply nothing when run again, keeping data', async () => {
    await store.client.command({
      query: `INSERT INTO relay_cursors (relay, cursor, saved_at) VALUES ('wss://kept', 42, now64(3))`,
    });
    const report = await store.migrate();
    expect(report).toEqual({ applied: [], version: SCHEMA_VERSION });
    expect(await tableNames()).toEqual(EXPECTED_OBJECTS);
    expect(await scalar(store, `SELECT cursor FROM relay_cursors WHERE relay = 'wss://kept'`)).toBe(42);
    expect(await scalar(store, 'SELECT count() FROM schema_migrations FINAL')).toBe(MIGRATIONS.length);
  });

  it('finish a migration that stopped half-way (statements are idempotent)', async () => {
    const step = {
      version: SCHEMA_VERSION + 1,
      name: 'test step',
      statements: ['CREATE TABLE IF NOT EXISTS half_done (x UInt8) ENGINE = Memory'],
    };
    // The statement ran but the version was never recorded, as after a crash between the two.
    await store.client.command({ query: step.statements[0] as string });
    const report = await migrate(store.client, [...MIGRATIONS, step]);
    expect(report.applied).toEqual([step.version]);
    await store.client.command({ query: 'DROP TABLE half_done' });
    await store.client.command({ query: `DELETE FROM schema_migrations WHERE version = ${step.version}` });
  });

  it('refuse a store whose schema is newer than this exporter', async () => {
    await store.client.insert({
      table: 'schema_migrations',
      values: [{ version: SCHEMA_VERSION + 5, name: 'from the future' }],
      format: 'JSONEachRow',
    });
    await expect(store.migrate()).rejects.toBeInstanceOf(SchemaTooNew);
    await store.client.command({
      query: `DELETE FROM schema_migrations WHERE version = ${SCHEMA_VERSION + 5}`,
    });
    expect((await store.migrate()).version).toBe(SCHEMA_VERSION);
  });
});

describe('the embedded engine in one process', () => {
  it('opens the same directory again (idempotent) but refuses a second directory', async () => {
    const again = await Store.open({ kind: 'embedded', path: `${dataDir}/clickhouse` });
    expect(await scalar(again, 'SELECT count() FROM schema_migrations FINAL')).toBe(MIGRATIONS.length);
    await again.close();
    // The first store still works after the second one closed.
    expect(await scalar(store, 'SELECT 1')).toBe(1);
    const other = tempDataDir('migrations-other');
    await expect(Store.open({ kind: 'embedded', path: other }, { create: true })).rejects.toThrow(
      /already open in this process/,
    );
  });

  it('refuses to invent a store where none exists, for readers', async () => {
    await expect(Store.open({ kind: 'embedded', path: `${dataDir}/missing` })).rejects.toThrow(
      /no embedded store/,
    );
  });

  it('frees the engine on close, reliably and only once', async () => {
    const path = boundChdbPath();
    expect(path).not.toBeNull();
    await Promise.all([store.close(), store.close()]);
    expect(boundChdbPath()).toBeNull();
    store = await Store.open({ kind: 'embedded', path: `${dataDir}/clickhouse` });
    expect(await scalar(store, "SELECT cursor FROM relay_cursors WHERE relay = 'wss://kept'")).toBe(42);
  });
});

describe('relay cursors in the store', () => {
  it('start empty, then return the newest cursor of every relay and the ids of the newest save', async () => {
    await store.client.command({ query: 'TRUNCATE TABLE relay_cursors' });
    const clock = new ManualClock(1_767_225_600);
    const cursors = new StoreCursorStore(store.client, async () => {}, clock);
    expect(await cursors.load()).toEqual(new Map());
    expect(await cursors.loadRecentIds()).toEqual(new Map());

    await cursors.save(
      new Map([
        ['wss://a', 1_767_225_000],
        ['wss://b', 1_767_225_100],
      ]),
      new Map([
        ['e1', 1_767_224_900],
        ['e2', 1_767_225_050],
      ]),
    );
    // Same clock reading: the second save must still win.
    await cursors.save(new Map([['wss://a', 1_767_225_300]]), new Map([['e3', 1_767_225_290]]));
    expect(await cursors.load()).toEqual(
      new Map([
        ['wss://a', 1_767_225_300],
        ['wss://b', 1_767_225_100],
      ]),
    );
    expect(await cursors.loadRecentIds()).toEqual(new Map([['e3', 1_767_225_290]]));
    // A new instance (a restart) reads the same.
    expect(await new StoreCursorStore(store.client).load()).toEqual(await cursors.load());
  });

  it('write a cursor only after what it covers is written', async () => {
    let seenBeforeWrite: number | null = null;
    const cursors = new StoreCursorStore(store.client, async () => {
      seenBeforeWrite = await scalar(store, "SELECT count() FROM relay_cursors WHERE relay = 'wss://later'");
    });
    await cursors.save(new Map([['wss://later', 5]]));
    expect(seenBeforeWrite).toBe(0);
    expect((await cursors.load()).get('wss://later')).toBe(5);
  });
});
