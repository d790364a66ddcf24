import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReadOnlySql, readOnlySql, SqlRefused } from '../../exporter/sql/readonly-sql.js';
import { checkReadOnlyStatement } from '../../exporter/sql/sql-guard.js';
import { localSqlUrl } from '../../exporter/store/owner-file.js';
import { Store } from '../../exporter/store/store.js';
import { rows, tempDataDir } from './helpers.js';

/** The statement checks alone, and against every table function the engine knows. */

describe('the statement check', () => {
  it('tells keywords from names', () => {
    for (const statement of [
      'SELECT * FROM system.settings',
      "SELECT name, value FROM system.settings WHERE name = 'readonly'",
      'SELECT Settings FROM system.query_log',
      'SELECT settings.name FROM system.settings AS settings',
      'WITH settings AS (SELECT 1 AS x) SELECT x AS settings FROM settings',
      'SELECT format FROM t',
      "SELECT format('{} {}', 'a', 'b')",
      "SELECT 'SETTINGS readonly = 0 FORMAT CSV INTO OUTFILE'",
      'SELECT `settings` FROM t',
    ]) {
      expect(checkReadOnlyStatement(statement), statement).toEqual({ ok: true });
    }
  });

  it('finds the clauses wherever they are', () => {
    for (const [statement, reason] of [
      ['SELECT 1 SETTINGS readonly = 0', /SETTINGS clauses/],
      ['SELECT * FROM (SELECT 1 SETTINGS `readonly` = 0)', /SETTINGS clauses/],
      ["SELECT 1 INTO OUTFILE '/tmp/x'", /INTO OUTFILE/],
      ['SELECT 1 FORMAT CSV', /FORMAT clause/],
      ['SELECT 1 FORMAT JSON SETTINGS max_threads = 1', /FORMAT clause|SETTINGS/],
      ['INSERT INTO t VALUES (1)', /only reading statements/],
      ['SELECT $$x$$', /heredoc/],
    ] as const) {
      const verdict = checkReadOnlyStatement(statement);
      expect(verdict.ok, statement).toBe(false);
      expect(verdict.ok ? '' : verdict.reason, statement).toMatch(reason);
    }
  });
});

describe('where the CLI finds the endpoint', () => {
  it('is a loopback address, or nowhere', () => {
    expect(localSqlUrl('0.0.0.0:9890', '/api/sql')).toBe('http://127.0.0.1:9890/api/sql');
    expect(localSqlUrl('[::]:9890', '/api/sql')).toBe('http://[::1]:9890/api/sql');
    expect(localSqlUrl('127.0.0.1:9890', '/api/sql')).toBe('http://127.0.0.1:9890/api/sql');
    expect(localSqlUrl('localhost:9890', '/api/sql')).toBe('http://localhost:9890/api/sql');
    // The endpoint refuses any other peer: a server bound to another address cannot be asked.
    expect(localSqlUrl('192.0.2.7:9890', '/api/sql')).toBeNull();
    expect(localSqlUrl('127.0.0.1:0', '/api/sql')).toBeNull();
  });
});

describe('every table function the engine knows', () => {
  const GENERATING = [
    'numbers',
    'numbers_mt',
    'zeros',
    'zeros_mt',
    'generate_series',
    'generateSeries',
    'values',
    'generateRandom',
  ];
  let store: Store;
  let sql: ReadOnlySql;
  beforeAll(async () => {
    store = await Store.open(
      { kind: 'embedded', path: join(tempDataDir('sql-guard'), 'clickhouse') },
      { create: true },
    );
    await store.migrate();
    sql = await readOnlySql(store);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('is refused, in a SELECT and in a DESCRIBE, but those that only generate values', async () => {
    const names = (
      await rows<{ name: string }>(store, 'SELECT name FROM system.table_functions ORDER BY name')
    ).map((r) => r.name);
    expect(names).toEqual(
      expect.arrayContaining([...GENERATING, 'file', 'url', 's3', 'remote', 'executable']),
    );
    // Arguments each function parses with (the view family takes a query).
    const args: Record<string, string> = {
      view: '(SELECT 1)',
      viewIfPermitted: "(SELECT 1 ELSE null('x UInt8'))",
      viewExplain: "('EXPLAIN', '', (SELECT 1))",
    };
    for (const name of names.filter((n) => !GENERATING.includes(n))) {
      const call = `\`${name}\`${args[name] ?? "('x')"}`;
      for (const query of [`SELECT * FROM ${call}`, `DESCRIBE TABLE ${call}`]) {
        const outcome = await sql.query(query).catch((error: unknown) => error);
        expect(outcome, query).toBeInstanceOf(SqlRefused);
        expect((outcome as Error).message, query).toBe(
          `the table function ${name}() is not allowed: ad-hoc SQL reads the exporter's tables only`,
        );
      }
    }
    expect((await sql.query('SELECT count() AS n FROM numbers(10)')).rows).toEqual([[10]]);
    expect((await sql.query("SELECT * FROM values('x UInt8', 1, 2)")).rows).toEqual([[1], [2]]);
  }, 120_000);
});
