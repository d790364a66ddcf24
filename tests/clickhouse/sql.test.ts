import { existsSync, readFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express, { type Router } from 'express';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Assembly, assemble } from '../../exporter/app/assemble.js';
import { EventTimeClock } from '../../exporter/base/event-time-clock.js';
import { loadConfig } from '../../exporter/config/load.js';
import { startHttpServer } from '../../exporter/http/server.js';
import { createVerifier } from '../../exporter/model/verify.js';
import { clickhouseSinkFactory } from '../../exporter/sinks/clickhouse/index.js';
import type { ClickHouseSink } from '../../exporter/sinks/clickhouse/sink.js';
import { formatAnswer } from '../../exporter/sql/answer-format.js';
import {
  DEFAULT_SQL_LIMITS,
  ReadOnlySql,
  readerSettings,
  readOnlySql,
  type SqlAnswer,
  SqlRefused,
} from '../../exporter/sql/readonly-sql.js';
import { embeddedReader } from '../../exporter/sql/sql-reader.js';
import { OWNER_FILE } from '../../exporter/store/owner-file.js';
import type { Store } from '../../exporter/store/store.js';
import { runCli } from '../support/cli.js';
import { freePort } from '../support/ports.js';
import { scalar, silentLogger, simulatorItems, systemClock, tempDataDir } from './helpers.js';

/**
 * Ad-hoc SQL: the read-only guard, the endpoint of a running exporter, and `dvm-exporter sql` both
 * beside that exporter (through its endpoint) and alone (opening the directory itself).
 */

const dataDir = tempDataDir('sql');
const storePath = join(dataDir, 'clickhouse');
let assembly: Assembly | null = null;
let server: ReturnType<ReturnType<typeof express>['listen']> | null = null;
let endpoint = '';

/** Starts what `run` would: the assembly with the store sink, its router on an HTTP server. */
async function startExporter(sqlEndpoint = true): Promise<Assembly> {
  const port = await freePort();
  const config = loadConfig({
    env: {},
    overrides: { dataDir, listen: `127.0.0.1:${port}`, clickhouse: { sqlEndpoint } },
  });
  const started = await assemble({
    config,
    mode: 'run',
    logger: silentLogger,
    verifier: await createVerifier('wasm'),
    clock: new EventTimeClock(),
    wallClock: systemClock,
    sinks: [clickhouseSinkFactory],
  });
  const app = express().use(started.router);
  server = app.listen(port, '127.0.0.1');
  await new Promise((resolve) => server?.once('listening', resolve));
  endpoint = `http://127.0.0.1:${port}/api/sql`;
  return started;
}

async function stopExporter(): Promise<void> {
  await assembly?.close();
  assembly = null;
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = null;
}

const store = () => (assembly?.sinks[0] as ClickHouseSink | undefined)?.store as Store;

beforeAll(async () => {
  assembly = await startExporter();
  for (const item of simulatorItems(600, 9))
    assembly.pipeline.ingestText(item.line, { relay: 'wss://sql.example' });
  await assembly.pipeline.flush();
}, 120_000);

afterAll(async () => {
  await stopExporter();
});

const COUNT_BY_ROLE = 'SELECT role, count() AS n FROM events FINAL GROUP BY role ORDER BY role';

describe('the read-only guard', () => {
  const refusals: [string, RegExp][] = [
    ["INSERT INTO events (id) VALUES ('x')", /only reading statements/],
    ['DROP TABLE events', /only reading statements/],
    ['TRUNCATE TABLE events', /only reading statements/],
    ['ALTER TABLE events DELETE WHERE 1', /only reading statements/],
    ['CREATE TABLE t (x UInt8) ENGINE = Memory', /only reading statements/],
    ['SET readonly = 0', /only reading statements/],
    ['OPTIMIZE TABLE events FINAL', /only reading statements/],
    ['SYSTEM STOP MERGES', /only reading statements/],
    ['SELECT 1; DROP TABLE events', /Multi-statements/],
    ['SELECT 1 SETTINGS readonly = 0', /SETTINGS clauses are not allowed/],
    ["SELECT * FROM (SELECT * FROM file('/etc/hostname', 'LineAsString') SETTINGS readonly = 0)", /SETTINGS/],
    ['SELECT count() FROM events SETTINGS max_result_rows = 1000000000', /SETTINGS/],
    [`SELECT 1 INTO OUTFILE '${join(dataDir, 'escaped.txt')}'`, /INTO OUTFILE/],
    ['SELECT 1 FORMAT CSV', /FORMAT clause/],
    ["SELECT * FROM file('/etc/hostname', 'LineAsString')", /table function file\(\) is not allowed/],
    ["SELECT * FROM url('http://127.0.0.1:1/', 'CSV', 'x String')", /table function url\(\)/],
    ["SELECT * FROM remote('127.0.0.1:1', system.one)", /table function remote\(\)/],
    ["SELECT * FROM executable('id', 'TSV', 'x String')", /table function executable\(\)/],
    ["SELECT * FROM system.one, mysql('127.0.0.1:1', 'd', 't', 'u', 'p')", /table function mysql\(\)/],
    ["SELECT file('/etc/hostname')", /function file\(\) is not allowed/],
    ["SELECT `FILE`('/proc/self/environ')", /function FILE\(\) is not allowed/],
    ["SELECT arrayMap(x -> file(x), ['/etc/hostname'])", /function file\(\)/],
    ["SELECT hasColumnInTable('127.0.0.1:1', 'system', 'one', 'dummy')", /function hasColumnInTable\(\)/],
    ["DESCRIBE TABLE file('/etc/hostname')", /table function file\(\)/],
    ["DESC s3('http://127.0.0.1:1/a.csv')", /table function s3\(\)/],
    ['SELECT number FROM system.numbers', /Limit for result exceeded/],
    ['SELEC 1', /Syntax error/],
  ];

  it('refuses every statement that could write, change settings or escape its limits', async () => {
    const sql = await readOnlySql(store());
    const before = await scalar(store(), 'SELECT count() FROM events');
    for (const [query, reason] of refusals) {
      const outcome = await sql.query(query).then(
        () => 'answered',
        (error: unknown) => error,
      );
      expect(outcome, query).toBeInstanceOf(SqlRefused);
      expect((outcome as Error).message, query).toMatch(reason);
    }
    expect(await scalar(store(), 'SELECT count() FROM events')).toBe(before);
    expect(existsSync(join(dataDir, 'escaped.txt'))).toBe(false);
    expect(await scalar(store(), "SELECT count() FROM system.tables WHERE name = 't'")).toBe(0);
  });

  it('answers reading statements, with 64-bit integers as numbers when they fit', async () => {
    const sql = await readOnlySql(store());
    const answer = await sql.query(
      "SELECT count() AS n, toUInt64(18446744073709551615) AS big, 'a' AS s FROM events WHERE role = 'request'",
    );
    expect(answer.columns).toEqual([
      { name: 'n', type: 'UInt64' },
      { name: 'big', type: 'UInt64' },
      { name: 's', type: 'String' },
    ]);
    expect(answer.rows).toEqual([
      [
        await scalar(store(), "SELECT count() FROM events WHERE role = 'request'"),
        '18446744073709551615',
        'a',
      ],
    ]);
    expect((await sql.query('SHOW TABLES')).rows.flat()).toContain('job_responses');
    expect((await sql.query('DESCRIBE TABLE events')).rows.length).toBeGreaterThan(20);
  });

  it('enforces its time and row limits', async () => {
    const limited = await ReadOnlySql.overEmbedded((settings) => embeddedReader(storePath, settings), {
      maxExecutionSeconds: 1,
      maxResultRows: 10,
    });
    try {
      expect((await limited.query('SELECT number FROM numbers(10)')).rows).toHaveLength(10);
      await expect(limited.query('SELECT number FROM numbers(11)')).rejects.toMatchObject({ code: 396 });
      await expect(limited.query('SELECT count() FROM numbers(100000000000)')).rejects.toMatchObject({
        code: 159,
      });
      // A failed query leaves nothing behind for the next one.
      expect((await limited.query('SELECT 42 AS answer')).rows).toEqual([[42]]);
    } finally {
      await limited.close();
    }
  });
});

/** A web server that records every connection made to it: whatever reaches it was fetched. */
async function listeningServer(): Promise<{
  port: number;
  connections: () => number;
  close: () => Promise<void>;
}> {
  let connections = 0;
  const server = createServer((_req, res) => {
    res.end('secret,body\n1,2\n');
  });
  server.on('connection', () => {
    connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('ad-hoc SQL reaches the exporter database only', () => {
  it('refuses to read files, fetch URLs or reach servers, and fetches nothing', async () => {
    const target = await listeningServer();
    const base = `http://127.0.0.1:${target.port}`;
    try {
      const sql = await readOnlySql(store());
      const attempts = [
        `DESCRIBE url('${base}/')`,
        `DESCRIBE TABLE url('${base}/', 'CSV')`,
        `DESCRIBE s3('${base}/bucket/key.csv')`,
        `SELECT * FROM url('${base}/', 'CSV', 'a String')`,
        `SELECT count() FROM events WHERE id IN (SELECT * FROM url('${base}/', 'LineAsString'))`,
        `SELECT hasColumnInTable('127.0.0.1:${target.port}', 'system', 'one', 'dummy')`,
        `SELECT * FROM remote('127.0.0.1:${target.port}', system.one)`,
        `SELECT * FROM postgresql('127.0.0.1:${target.port}', 'd', 't', 'u', 'p')`,
        "SELECT file('/etc/hostname')",
        `SELECT file('/proc/${process.pid}/environ')`,
      ];
      for (const query of attempts) {
        const outcome = await sql.query(query).then(
          (answer) => answer,
          (error: unknown) => error,
        );
        expect(outcome, query).toBeInstanceOf(SqlRefused);
        expect((outcome as Error).message, query).toMatch(
          /is not allowed: ad-hoc SQL reads the exporter's tables only/,
        );
      }
      const cli = await runCli(['sql', '--data-dir', dataDir, "SELECT file('/etc/hostname')"]);
      expect(cli.code).toBe(2);
      expect(cli.stderr).toMatch(/^dvm-exporter: query refused: the function file\(\) is not allowed/);
      expect(cli.stdout).toBe('');
      const described = await runCli(['sql', '--data-dir', dataDir, `DESCRIBE url('${base}/')`]);
      expect(described.code).toBe(2);
      expect(described.stderr).toMatch(/table function url\(\) is not allowed/);
      expect(target.connections()).toBe(0);
    } finally {
      await target.close();
    }
  }, 120_000);

  it('runs on a reader the engine keeps read-only, whatever reaches it', async () => {
    // The reader alone, without the checks in front of it: readonly=1 refuses every table function
    // not marked allow_readonly (ClickHouse src/TableFunctions/ITableFunction.cpp, `execute` checks
    // CREATE_TEMPORARY_TABLE, which readonly denies), any SET or SETTINGS, writes and DDL.
    const target = await listeningServer();
    const reader = await embeddedReader(storePath, readerSettings(DEFAULT_SQL_LIMITS));
    try {
      const read = (query: string) =>
        reader.read(query, { format: 'JSONCompactEachRow', maxBytes: 1 << 20, stream: false }).then(
          (text) => text,
          (error: unknown) => error as { clickhouseCode?: number; message: string },
        );
      for (const query of [
        `SELECT * FROM url('http://127.0.0.1:${target.port}/', 'CSV', 'a String')`,
        "SELECT * FROM file('/etc/hostname', 'LineAsString')",
        `SELECT * FROM remote('127.0.0.1:${target.port}', system.one)`,
        'SET readonly = 0',
        'SET max_result_rows = 0',
        'SELECT 1 SETTINGS max_result_bytes = 0',
        'CREATE TEMPORARY TABLE t (x UInt8)',
        "INSERT INTO events (id) VALUES ('x')",
        'DROP TABLE events',
      ]) {
        expect(await read(query), query).toMatchObject({ clickhouseCode: 164 }); // READONLY
      }
      expect(target.connections()).toBe(0);
      // The one gap: a SETTINGS clause inside a subquery is applied even under readonly=1, so it
      // could lift readonly for that subquery. The checks in front refuse every SETTINGS clause.
      expect(await read("SELECT * FROM (SELECT getSetting('readonly') SETTINGS readonly = 0)")).toBe('[0]\n');
      const sql = await readOnlySql(store());
      for (const query of [
        "SELECT * FROM (SELECT getSetting('readonly') SETTINGS readonly = 0)",
        "SELECT * FROM (SELECT * FROM file('/etc/hostname', 'LineAsString') SETTINGS readonly = 0)",
        'SELECT 1 WHERE 1 IN (SELECT 1 SETTINGS `max_result_rows` = 0)',
      ]) {
        await expect(sql.query(query), query).rejects.toThrow(/SETTINGS clauses are not allowed/);
      }
      const settings = await read(
        "SELECT name, value FROM system.settings WHERE name IN ('readonly', 'allow_ddl', 'result_overflow_mode', 'max_result_bytes') ORDER BY name",
      );
      expect(
        String(settings)
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line)),
      ).toEqual([
        ['allow_ddl', '0'],
        ['max_result_bytes', String(DEFAULT_SQL_LIMITS.maxResultBytes)],
        ['readonly', '1'],
        ['result_overflow_mode', 'throw'],
      ]);
    } finally {
      await reader.release();
      await target.close();
    }
  });

  it('reads system.settings, which holds the word SETTINGS', async () => {
    const sql = await readOnlySql(store());
    const answer = await sql.query(
      "SELECT name, value FROM system.settings WHERE name IN ('readonly', 'result_overflow_mode') ORDER BY name",
    );
    expect(answer.rows).toEqual([
      ['readonly', '1'],
      ['result_overflow_mode', 'throw'],
    ]);
    expect(
      (await sql.query('WITH settings AS (SELECT 1 AS x) SELECT x AS settings FROM settings')).rows,
    ).toEqual([[1]]);
  });

  it("shows the asker's own error, not the statement it runs inside", async () => {
    const sql = await readOnlySql(store());
    for (const [query, message] of [
      ['SELECT nope FROM events', /^Unknown expression identifier `nope`/],
      ['SELEC 1', /^Syntax error: failed at position 7/],
      ['SELECT * FROM nowhere', /^Unknown table expression identifier 'nowhere'/],
    ] as const) {
      const error = (await sql.query(query).catch((e: unknown) => e)) as Error;
      expect(error, query).toBeInstanceOf(SqlRefused);
      expect(error.message, query).toMatch(message);
      expect(error.message, query).not.toMatch(
        /formatQuerySingleLine|materialize|EXPLAIN|DB::Exception|version/,
      );
    }
  });
});

describe('result limits that hold', () => {
  let limited: ReadOnlySql;
  beforeAll(async () => {
    limited = await ReadOnlySql.overEmbedded((settings) => embeddedReader(storePath, settings), {
      maxResultBytes: 1 << 20,
    });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('counts a constant column at its full size against max_result_bytes', async () => {
    // 300 rows of one 100 kB constant: 30 MB of answer, 100 kB as the engine stores the block.
    await expect(limited.query("SELECT repeat('x', 100000) FROM numbers(300)")).rejects.toMatchObject({
      code: 396, // TOO_MANY_ROWS_OR_BYTES
    });
  });

  it('stops reading an answer whose text outgrows the cap', async () => {
    // 900 kB of NUL bytes under the 1 MiB limit, 5.4 MB as JSON (each one is written \u0000).
    await expect(limited.query('SELECT repeat(char(0), 100000) FROM numbers(9)')).rejects.toThrow(
      /the answer is larger than 1048576 bytes/,
    );
  });

  it('answers within the limits with the names and order the query gave', async () => {
    const answer = await limited.query(
      "SELECT number AS n, repeat('x', 3) FROM numbers(1000) ORDER BY n DESC",
    );
    expect(answer.columns).toEqual([
      { name: 'n', type: 'UInt64' },
      { name: "repeat('x', 3)", type: 'String' },
    ]);
    const expected = [];
    for (let n = 999; n >= 0; n--) expected.push([n, 'xxx']);
    expect(answer.rows).toEqual(expected);
  });
});

/** One raw HTTP request: unlike fetch, it can send any Host and Origin, as a browser or attacker would. */
function request(
  method: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown>; allow?: string }> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method,
        headers: { host: url.host, ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => {
          const allow = res.headers.allow;
          let body: Record<string, unknown>;
          try {
            body = JSON.parse(text);
          } catch {
            body = { text };
          }
          resolve({ status: res.statusCode ?? 0, body, ...(allow ? { allow } : {}) });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const post = (query: string, headers: Record<string, string> = {}) =>
  request('POST', JSON.stringify({ query }), { 'content-type': 'application/json', ...headers });

describe('the SQL endpoint of a running exporter', () => {
  it('is announced in the data directory for the CLI', () => {
    const owner = JSON.parse(readFileSync(join(dataDir, OWNER_FILE), 'utf8'));
    expect(owner).toMatchObject({ pid: process.pid, mode: 'run', sqlUrl: endpoint });
  });

  it('answers JSON queries from this host', async () => {
    const sql = await readOnlySql(store());
    const expected = await sql.query(COUNT_BY_ROLE);
    expect(await post(COUNT_BY_ROLE)).toEqual({ status: 200, body: expected });
    expect(await post(COUNT_BY_ROLE, { host: `localhost:${new URL(endpoint).port}` })).toEqual({
      status: 200,
      body: expected,
    });
    // The same page's own origin may ask (a browser sends it for a same-origin POST).
    expect(await post(COUNT_BY_ROLE, { origin: new URL(endpoint).origin })).toEqual({
      status: 200,
      body: expected,
    });
  });

  it('refuses writes with 400', async () => {
    expect(await post('DROP TABLE events')).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/only reading/) },
    });
  });

  it('refuses a foreign Host (DNS rebinding), a foreign Origin, a proxied request and non-JSON bodies', async () => {
    const refused = [
      [await post(COUNT_BY_ROLE, { host: 'attacker.example' }), 403, /loopback host only/],
      [await post(COUNT_BY_ROLE, { host: `attacker.example:${new URL(endpoint).port}` }), 403, /loopback/],
      [await post(COUNT_BY_ROLE, { origin: 'http://attacker.example' }), 403, /other origins/],
      [await post(COUNT_BY_ROLE, { origin: 'http://localhost:3000' }), 403, /other origins/],
      [await post(COUNT_BY_ROLE, { 'x-forwarded-for': '203.0.113.9' }), 403, /this host only/],
      [
        await request('POST', COUNT_BY_ROLE, {
          'content-type': 'text/plain',
          host: 'attacker.example',
          origin: 'http://attacker.example',
        }),
        403,
        /loopback host only/,
      ],
      [await request('POST', COUNT_BY_ROLE, { 'content-type': 'text/plain' }), 415, /application\/json/],
      [
        await request('POST', `query=${COUNT_BY_ROLE}`, {
          'content-type': 'application/x-www-form-urlencoded',
        }),
        415,
        /JSON/,
      ],
      [await request('POST', 'not json', { 'content-type': 'application/json' }), 400, /JSON/],
      [await post(`SELECT '${'x'.repeat(200_000)}'`), 413, /larger than 128kb/],
    ] as const;
    for (const [answer, status, error] of refused) {
      expect(answer.status).toBe(status);
      expect(Object.keys(answer.body)).toEqual(['error']);
      expect(String(answer.body.error)).toMatch(error);
      expect(String(answer.body.error)).not.toContain('\n');
    }
  });

  it('answers GET and other methods with 405 and a one-line hint', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const answer = await request(method, '', {});
      expect(answer).toEqual({
        status: 405,
        allow: 'POST',
        body: { error: expect.stringMatching(/^POST a JSON body \{"query": "SELECT \.\.\."\}/) },
      });
    }
  });

  it('is described on the landing page', async () => {
    const http = await startHttpServer({
      listen: '127.0.0.1:0',
      registry: new Registry(),
      router: assembly?.router as Router,
      readiness: () => ({ ready: true, reasons: [] }),
      relays: () => [],
      logger: silentLogger,
      version: 'test',
    });
    try {
      const page = await (await fetch(`${http.url}/`)).text();
      const item = page.split('\n').filter((line) => line.includes('/api/sql'));
      expect(item).toHaveLength(1);
      expect(item[0]).toContain('read-only SQL over the history');
      expect(item[0]).toContain('from this host only');
    } finally {
      await http.close();
    }
  });
});

function asJsonLines(answer: SqlAnswer): string {
  return formatAnswer(answer, 'json');
}

describe('dvm-exporter sql', () => {
  let expected: SqlAnswer;

  it('goes through the running exporter, which holds the store', async () => {
    expected = await (await readOnlySql(store())).query(COUNT_BY_ROLE);
    const json = await runCli(['sql', '--data-dir', dataDir, COUNT_BY_ROLE]);
    expect(json).toMatchObject({ code: 0, stdout: asJsonLines(expected) });
    expect(json.stdout.split('\n')[0]).toMatch(/^\{"role":"announcement","n":\d+\}$/);
    const csv = await runCli(['sql', '--data-dir', dataDir, '--format', 'csv', '-'], {
      input: COUNT_BY_ROLE,
    });
    expect(csv).toMatchObject({ code: 0, stdout: formatAnswer(expected, 'csv') });
    expect(csv.stdout.split('\n')[0]).toBe('role,n');
    const table = await runCli(['sql', '--data-dir', dataDir, '--format', 'table', COUNT_BY_ROLE]);
    expect(table).toMatchObject({ code: 0, stdout: formatAnswer(expected, 'table') });
    const refused = await runCli(['sql', '--data-dir', dataDir, 'DROP TABLE events']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/query refused: only reading statements/);
  }, 120_000);

  it('opens the directory itself when no exporter holds it, with the same answers and refusals', async () => {
    await stopExporter();
    expect(existsSync(join(dataDir, OWNER_FILE))).toBe(false);
    const json = await runCli(['sql', '--data-dir', dataDir, COUNT_BY_ROLE]);
    expect(json).toMatchObject({ code: 0, stdout: asJsonLines(expected) });
    const refused = await runCli(['sql', '--data-dir', dataDir, 'SELECT 1 SETTINGS readonly = 0']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/SETTINGS clauses are not allowed/);
    const missing = await runCli(['sql', '--data-dir', join(dataDir, 'nowhere'), 'SELECT 1']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no embedded store/);
    const down = await runCli([
      'sql',
      '--clickhouse-url',
      `http://127.0.0.1:${await freePort()}/dvm`,
      'SELECT 1',
    ]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^dvm-exporter: the store did not answer: .*ECONNREFUSED/);
  }, 120_000);

  it('says who holds the store when that exporter serves no SQL', async () => {
    assembly = await startExporter(false);
    expect((await post('SELECT 1')).status).toBe(404);
    const held = await runCli(['sql', '--data-dir', dataDir, 'SELECT 1']);
    expect(held.code).toBe(1);
    // One line: the CLI does not try to open a held directory (the engine would print its exception).
    expect(held.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `held by process ${process.pid} \\(dvm-exporter run, since [^)]+\\) and it serves no SQL endpoint`,
        ),
      ),
    ]);
    await stopExporter();
  }, 120_000);
});
