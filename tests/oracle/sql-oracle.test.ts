import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assembleReplay } from '../../exporter/app/replay-assembly.js';
import { loadConfig } from '../../exporter/config/load.js';
import { clickhouseSinkFactory } from '../../exporter/sinks/clickhouse/index.js';
import type { ClickHouseSink } from '../../exporter/sinks/clickhouse/sink.js';
import { replayFiles } from '../../exporter/sources/file-replay.js';
import { CARDS } from '../../exporter/store/cards.js';
import type { Store } from '../../exporter/store/store.js';
import { DvmDashOracle } from './dvmdash-oracle.js';
import { deal, realFixtureFiles, silentLogger, simulatorLines, writeParts } from './support.js';

/**
 * The store's answers (DVMDash's cards as the Overview shows them, the per-DVM and per-kind tables,
 * latencies, payments) against the brute-force oracle, after `replay` of the same events in several
 * orders; and every view identical across those orders.
 */

const dataDir = mkdtempSync(join(tmpdir(), 'dvm-exporter-sql-oracle-'));
const TABLES = ['events', 'relay_sightings', 'dvm_announcements', 'events_daily', 'dvm_daily'];

/** Every derived view, minus the wall-clock columns (when the exporter first had an event). */
const VIEW_SNAPSHOTS = [
  'SELECT * FROM jobs ORDER BY job_id',
  'SELECT * FROM job_responses ORDER BY job_id, dvm',
  'SELECT * EXCEPT (first_seen_at) FROM job_requests ORDER BY job_id',
  'SELECT * FROM job_roots ORDER BY job_id',
  'SELECT * FROM dvms ORDER BY dvm',
  'SELECT * FROM dvm_activity ORDER BY dvm',
  'SELECT * FROM dvm_profiles ORDER BY dvm',
  `SELECT day, dvm, role, job_kind, uniqExactMerge(events) AS events, uniqExactMerge(jobs) AS jobs,
          uniqExactMerge(customers) AS customers
   FROM dvm_daily GROUP BY day, dvm, role, job_kind ORDER BY day, dvm, role, job_kind`,
];

type Row = Record<string, number | string | null>;

async function query(store: Store, sql: string): Promise<Row[]> {
  const result = await store.client.query({
    query: sql,
    format: 'JSONEachRow',
    clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
  });
  return result.json<Row>();
}

const keyed = (rows: readonly Row[], key: (r: Row) => string, value: (r: Row) => unknown) =>
  Object.fromEntries(rows.map((r) => [key(r), value(r)]));

/** Replays the files into an emptied store and reads every answer the oracle checks. */
async function replayAnswers(files: readonly string[]) {
  const config = loadConfig({ env: {}, overrides: { dataDir } });
  const assembly = await assembleReplay(config, { logger: silentLogger, sinks: [clickhouseSinkFactory] });
  try {
    const store = (assembly.sinks[0] as ClickHouseSink).store;
    for (const table of TABLES) await store.client.command({ query: `TRUNCATE TABLE ${table}` });
    await replayFiles(assembly.pipeline, files);
    await assembly.pipeline.flush();
    const value = async (sql: string) => (await query(store, sql))[0]?.value;
    const cards = {
      requests: await value(CARDS.requests.sql),
      results: await value(CARDS.results.sql),
      request_kinds: await value(CARDS.requestKinds.sql),
      result_kinds: await value(CARDS.resultKinds.sql),
      dvm_pubkeys: await value(CARDS.dvmPubkeys.sql),
      dvm_profiles: await value(CARDS.dvmProfiles.sql),
      unique_users: await value(CARDS.uniqueUsers.sql),
      sats_paid: await value(CARDS.satsPaid.sql),
      requests_24h: await value(CARDS.requests24h.sql),
      results_24h: await value(CARDS.results24h.sql),
      requests_week: await value(CARDS.requestsWeek.sql),
      results_week: await value(CARDS.resultsWeek.sql),
      most_popular_dvm:
        (await query(store, `SELECT dvm, jobs_completed FROM (${CARDS.mostPopularDvm.sql})`))[0] ?? null,
      most_popular_kind: (await query(store, CARDS.mostPopularKind.sql))[0] ?? null,
    };
    const perDvm = keyed(
      await query(store, 'SELECT dvm, results, feedback, jobs, jobs_delivered, customers FROM dvm_activity'),
      (r) => String(r.dvm),
      ({ dvm: _, ...rest }) => rest,
    );
    const dailyJobs = keyed(
      await query(store, 'SELECT dvm, uniqExactMerge(jobs) AS jobs FROM dvm_daily GROUP BY dvm'),
      (r) => String(r.dvm),
      (r) => r.jobs,
    );
    const requestsPerKind = await query(
      store,
      "SELECT kind, uniqExact(id) AS requests, uniqExact(pubkey) AS customers FROM events WHERE role = 'request' GROUP BY kind",
    );
    const completedPerKind = keyed(
      await query(
        store,
        'SELECT kind, countIf(result_count > 0) AS jobs_completed, uniqExactIf(dvm, result_count > 0) AS dvms FROM job_responses WHERE request_seen = 1 GROUP BY kind',
      ),
      (r) => String(r.kind),
      ({ kind: _, ...rest }) => rest,
    );
    const perKind = keyed(
      requestsPerKind,
      (r) => String(r.kind),
      (r) => ({
        requests: r.requests,
        customers: r.customers,
        ...((completedPerKind[String(r.kind)] as object | undefined) ?? { jobs_completed: 0, dvms: 0 }),
      }),
    );
    const latencyRows = await query(
      store,
      `SELECT kind, dvm, count(feedback_seconds) AS fc, sum(feedback_seconds) AS fs, count(result_seconds) AS rc,
              sum(result_seconds) AS rs, count(response_seconds) AS pc, sum(response_seconds) AS ps
       FROM job_responses WHERE request_seen = 1 GROUP BY kind, dvm`,
    );
    const latency = (count: string, sum: string) => ({
      count: Object.fromEntries(
        latencyRows.filter((r) => Number(r[count]) > 0).map((r) => [`${r.kind} ${r.dvm}`, Number(r[count])]),
      ),
      sum: Object.fromEntries(
        latencyRows.filter((r) => Number(r[sum]) > 0).map((r) => [`${r.kind} ${r.dvm}`, Number(r[sum])]),
      ),
    });
    const earned = keyed(
      await query(
        store,
        'SELECT dvm, sum(earned_msat) AS msat FROM job_responses WHERE earned_msat IS NOT NULL GROUP BY dvm HAVING msat > 0',
      ),
      (r) => String(r.dvm),
      (r) => Number(r.msat),
    );
    const views: unknown[] = [];
    for (const sql of VIEW_SNAPSHOTS) views.push(await query(store, sql));
    return {
      oracle: {
        cards,
        perDvm,
        dailyJobs,
        perKind,
        feedback: latency('fc', 'fs'),
        result: latency('rc', 'rs'),
        response: latency('pc', 'ps'),
        earned,
      },
      views,
    };
  } finally {
    await assembly.close();
  }
}

function expectedAnswers(oracle: DvmDashOracle) {
  const nonZero = (counts: Record<string, number>) =>
    Object.fromEntries(Object.entries(counts).filter(([, v]) => v > 0));
  const latency = oracle.latencies({ withPongs: false, label: String });
  const perDvm = Object.fromEntries(oracle.perDvm());
  const earned: Record<string, number> = {};
  for (const pair of oracle.pairs({ withPongs: false }).values()) {
    const msat = oracle.earnedBySql(pair);
    if (msat) earned[pair.dvm] = (earned[pair.dvm] ?? 0) + msat;
  }
  return {
    cards: oracle.globalCards(),
    perDvm,
    dailyJobs: Object.fromEntries(Object.entries(perDvm).map(([dvm, d]) => [dvm, d.jobs])),
    perKind: Object.fromEntries([...oracle.perKind()].map(([kind, k]) => [String(kind), k])),
    feedback: { count: latency.feedback, sum: nonZero(latency.feedbackSum) },
    result: { count: latency.result, sum: nonZero(latency.resultSum) },
    response: { count: latency.response, sum: nonZero(latency.responseSum) },
    earned,
  };
}

describe('SQL answers against the oracle, in any order', () => {
  it('simulator traffic: sorted, reversed and shuffled over several files', async () => {
    const lines = simulatorLines(4);
    const expected = expectedAnswers(await DvmDashOracle.of(lines));
    expect(expected.cards.sats_paid).toBeGreaterThan(0);
    const sorted = await replayAnswers(writeParts([lines]));
    expect(sorted.oracle).toEqual(expected);
    expect((await replayAnswers(writeParts([[...lines].reverse()]))).views).toEqual(sorted.views);
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(lines, { minLength: lines.length, maxLength: lines.length }),
        fc.integer({ min: 2, max: 3 }),
        async (order, files) => {
          const answers = await replayAnswers(writeParts(deal(order, files)));
          expect(answers.oracle).toEqual(expected);
          expect(answers.views).toEqual(sorted.views);
        },
      ),
      { numRuns: 1, seed: 4 },
    );
  }, 300_000);

  it('the real fixtures, in file order, files swapped and lines reversed; sats paid is 0, not NULL', async () => {
    const files = realFixtureFiles();
    const expected = expectedAnswers(await DvmDashOracle.of(files.flatMap((f) => f.lines)));
    expect(expected.cards.sats_paid).toBe(0);
    const sorted = await replayAnswers(writeParts(files.map((f) => f.lines)));
    expect(sorted.oracle).toEqual(expected);
    for (const parts of [files.map((f) => f.lines).reverse(), [files.flatMap((f) => f.lines).reverse()]]) {
      expect((await replayAnswers(writeParts(parts))).views).toEqual(sorted.views);
    }
  }, 120_000);
});
