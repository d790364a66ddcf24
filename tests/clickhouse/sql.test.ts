import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Assembly, assemble } from '../../exporter/app/assemble.js';
import { loadConfig } from '../../exporter/config/load.js';
import { createVerifier } from '../../exporter/model/verify.js';
import { clickhouseSinkFactory } from '../../exporter/sinks/clickhouse/index.js';
import type { ClickHouseSink } from '../../exporter/sinks/clickhouse/sink.js';
import { formatAnswer } from '../../exporter/store/answer-format.js';
import { closeChdbConnection, openChdbConnection } from '../../exporter/store/chdb-slot.js';
import { OWNER_FILE } from '../../exporter/store/owner-file.js';
import { ReadOnlySql, type SqlAnswer, SqlRefused } from '../../exporter/store/readonly-sql.js';
import type { EngineConnection, Store } from '../../exporter/store/store.js';
import { EventTimeClock } from '../../exporter/util/event-time-clock.js';
import { runCli } from '../support/cli.js';
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

async function freePort(): Promise<number> {
  const probe = express().listen(0, '127.0.0.1');
  await new Promise((resolve) => probe.once('listening', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

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
    ["SELECT * FROM file('/etc/hostname', 'LineAsString')", /readonly mode/],
    ["SELECT * FROM url('http://127.0.0.1:1/', 'CSV', 'x String')", /readonly mode/],
    ["SELECT * FROM remote('127.0.0.1:1', system.one)", /readonly mode/],
    ['SELECT number FROM system.numbers', /Limit for result exceeded/],
    ['SELEC 1', /Syntax error/],
  ];

  it('refuses every statement that could write, change settings or escape its limits', async () => {
    const sql = await store().readOnly();
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
    const sql = await store().readOnly();
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
    const limited = await ReadOnlySql.overDedicatedConnection(
      async () => {
        const chdb = await openChdbConnection(storePath);
        return {
          client: createClient({ connection: chdb as unknown as EngineConnection }),
          release: () => closeChdbConnection(chdb),
        };
      },
      { maxExecutionSeconds: 1, maxResultRows: 10 },
    );
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

async function post(body: string, headers: Record<string, string> = { 'content-type': 'text/plain' }) {
  const response = await fetch(endpoint, { method: 'POST', body, headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('the SQL endpoint of a running exporter', () => {
  it('is announced in the data directory for the CLI', () => {
    const owner = JSON.parse(readFileSync(join(dataDir, OWNER_FILE), 'utf8'));
    expect(owner).toMatchObject({ pid: process.pid, mode: 'run', sqlUrl: endpoint });
  });

  it('answers queries sent as text or JSON', async () => {
    const sql = await store().readOnly();
    const expected = await sql.query(COUNT_BY_ROLE);
    expect(await post(COUNT_BY_ROLE)).toEqual({ status: 200, body: expected });
    expect(
      await post(JSON.stringify({ query: COUNT_BY_ROLE }), { 'content-type': 'application/json' }),
    ).toEqual({
      status: 200,
      body: expected,
    });
  });

  it('refuses writes with 400, and proxied requests with 403', async () => {
    expect(await post('DROP TABLE events')).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/only reading/) },
    });
    expect(
      await post('SELECT 1', { 'content-type': 'text/plain', 'x-forwarded-for': '203.0.113.9' }),
    ).toMatchObject({
      status: 403,
    });
    expect((await fetch(endpoint)).status).toBe(404);
  });
});

function asJsonLines(answer: SqlAnswer): string {
  return formatAnswer(answer, 'json');
}

describe('dvm-exporter sql', () => {
  let expected: SqlAnswer;

  it('goes through the running exporter, which holds the store', async () => {
    expected = await (await store().readOnly()).query(COUNT_BY_ROLE);
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
    expect((await fetch(endpoint, { method: 'POST', body: 'SELECT 1' })).status).toBe(404);
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
