import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Assembly, assemble } from '../../exporter/app/assemble.js';
import { EventTimeClock } from '../../exporter/base/event-time-clock.js';
import { loadConfig } from '../../exporter/config/load.js';
import type { DvmEvent } from '../../exporter/model/dvm-event.js';
import { createVerifier } from '../../exporter/model/verify.js';
import { clickhouseSinkFactory } from '../../exporter/sinks/clickhouse/index.js';
import type { ClickHouseSink } from '../../exporter/sinks/clickhouse/sink.js';
import { bindExample, EXAMPLE_QUERIES, type ExampleId, exampleQuery } from '../../exporter/sql/examples.js';
import { type ReadOnlySql, readOnlySql } from '../../exporter/sql/readonly-sql.js';
import { Expectations } from './expected-answers.js';
import { objects, silentLogger, simulatorItems, systemClock, tempDataDir } from './helpers.js';

/**
 * Every documented example query, run the way `dvm-exporter sql` runs it, against a store filled by
 * `replay` of simulator traffic, and checked against answers computed from the events in TypeScript.
 */

const dataDir = tempDataDir('examples');
let assembly: Assembly;
let sql: ReadOnlySql;
let expect_: Expectations;

beforeAll(async () => {
  const config = loadConfig({ env: {}, overrides: { dataDir } });
  assembly = await assemble({
    config,
    mode: 'replay',
    logger: silentLogger,
    verifier: await createVerifier('wasm'),
    clock: new EventTimeClock(),
    wallClock: systemClock,
    sinks: [clickhouseSinkFactory],
  });
  const events: DvmEvent[] = [];
  assembly.pipeline.subscribe((e) => {
    if (e.type === 'event_accepted') events.push(e.event);
  });
  for (const item of simulatorItems(1800, 1)) {
    assembly.pipeline.ingestText(item.line, { relay: null });
    const wait = assembly.pipeline.capacity();
    if (wait) await wait;
  }
  await assembly.pipeline.flush();
  sql = await readOnlySql((assembly.sinks[0] as ClickHouseSink).store);
  expect_ = new Expectations(events);
}, 120_000);

afterAll(async () => {
  await assembly?.close();
});

async function answer(id: ExampleId, values: Record<string, string> = {}) {
  return objects(await sql.query(bindExample(exampleQuery(id), values)));
}

describe('the example queries in docs/clickhouse.md', () => {
  it('are all covered here', () => {
    expect(EXAMPLE_QUERIES.map((e) => e.id).sort()).toEqual(
      [
        'global-stats',
        'job-chain',
        'last-requests-per-kind',
        'most-popular-dvm',
        'most-popular-kind',
        'paid-never-delivered',
        'response-time-percentiles',
        'sats-per-dvm',
        'unique-users-per-day',
      ].sort(),
    );
  });

  it('appear in the documentation exactly as tested', () => {
    const docs = readFileSync(join(import.meta.dirname, '../../docs/clickhouse.md'), 'utf8');
    for (const example of EXAMPLE_QUERIES)
      expect(docs, example.id).toContain(`\`\`\`sql\n${example.sql.trim()}\n\`\`\``);
  });

  it("answer DVMDash's all-time cards", async () => {
    const [actual] = await answer('global-stats');
    const [expected] = expect_.globalStats();
    expect({ ...actual, sats_paid: Math.round(Number(actual?.sats_paid) * 1000) }).toEqual({
      ...expected,
      sats_paid: Math.round(Number(expected?.sats_paid) * 1000),
    });
    expect(expected?.sats_paid).toBeGreaterThan(0);
  });

  it('name the most popular DVM and kind', async () => {
    expect(await answer('most-popular-dvm')).toEqual(expect_.mostPopularDvm());
    expect(await answer('most-popular-kind')).toEqual(expect_.mostPopularKind());
  });

  it('add up the sats each DVM earned', async () => {
    const expected = expect_.satsPerDvm();
    expect(expected.length).toBeGreaterThan(0);
    expect(await answer('sats-per-dvm')).toEqual(expected);
  });

  it('give response-time percentiles per kind and DVM', async () => {
    const expected = expect_.responseTimePercentiles();
    expect(expected.length).toBeGreaterThan(5);
    expect(await answer('response-time-percentiles')).toEqual(expected);
  });

  it('find the DVMs that asked for payment and never delivered', async () => {
    const expected = expect_.paidNeverDelivered();
    expect(expected[0]?.name).toBe('Tollbooth');
    expect(await answer('paid-never-delivered')).toEqual(expected);
  });

  it('list the last 3 requests of every kind', async () => {
    expect(await answer('last-requests-per-kind')).toEqual(expect_.lastRequestsPerKind());
  });

  it('count unique users per day', async () => {
    expect(await answer('unique-users-per-day')).toEqual(expect_.uniqueUsersPerDay());
  });

  it("show a job's whole chain, from any job in it", async () => {
    const chained = [...expect_.requests.values()]
      .filter((r) => r.jobInputs.length > 0)
      .map((r) => r.event.id)
      .sort();
    // The deepest chain, asked for by its last step.
    const job = chained.sort((a, b) => depth(b) - depth(a) || a.localeCompare(b))[0] as string;
    const expected = expect_.jobChain(job);
    expect(
      new Set(expected.filter((r) => r.role === 'request').map((r) => r.id)).size,
    ).toBeGreaterThanOrEqual(2);
    const actual = await answer('job-chain', { job });
    expect(actual.map(({ summary, ...rest }) => rest)).toEqual(expected);
    expect(actual.every((row) => typeof row.summary === 'string')).toBe(true);
    // Asking for the root gives the same chain.
    expect(await answer('job-chain', { job: expect_.rootOf(job) })).toEqual(actual);
  });
});

function depth(id: string): number {
  let d = 0;
  for (let current = id; expect_.rootOf(current) !== current && d < 64; d++) {
    current = expect_.requests.get(current)?.jobInputs.find((i) => expect_.requests.has(i)) ?? current;
  }
  return d;
}
