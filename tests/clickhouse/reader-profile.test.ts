import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Session } from 'chdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindExample, EXAMPLE_QUERIES } from '../../exporter/sql/examples.js';
import { sessionArguments } from '../../exporter/sql/sql-reader.js';
import { closeChdbConnection, openChdbSession } from '../../exporter/store/chdb-slot.js';
import { Store } from '../../exporter/store/store.js';
import { find, parseXml } from '../compose/support/xml.js';
import { REPO_ROOT } from '../support/paths.js';
import { feed, pipelineEvents, simulatorItems, tempDataDir, testSink } from './helpers.js';

/**
 * The compose stack's Grafana reader profile (provisioning/clickhouse/users.d/dvm-users.xml), run
 * on the embedded engine with its row limit lowered below the data: every documented query reads
 * views over more rows than the limit and must give the unlimited answer, and an answer over the
 * limit must be an error, never a shorter answer.
 */

const LIMIT = 50;
const dataDir = tempDataDir('reader-profile');
let store: Store;
const sessions: Session[] = [];

/** The profile's settings, as ClickHouse would apply them to the Grafana user. */
function readerProfile(): Record<string, string> {
  const users = parseXml(
    readFileSync(join(REPO_ROOT, 'provisioning/clickhouse/users.d/dvm-users.xml'), 'utf8'),
  );
  const profile = find(users, 'profiles/dvm_reader');
  if (!profile) throw new Error('no dvm_reader profile');
  return Object.fromEntries(
    profile.children.filter((c) => c.name !== 'constraints').map((c) => [c.name, c.text.trim()]),
  );
}

async function session(settings: Record<string, string>): Promise<Session> {
  const opened = await openChdbSession(
    store.target.kind === 'embedded' ? store.target.path : '',
    sessionArguments(settings),
  );
  sessions.push(opened);
  return opened;
}

const rows = async (on: Session, sql: string) =>
  (await on.queryAsync(sql, { format: 'JSONCompactEachRow' }))
    .text()
    .split('\n')
    .filter((line) => line !== '');

beforeAll(async () => {
  store = await Store.open({ kind: 'embedded', path: join(dataDir, 'clickhouse') }, { create: true });
  await store.migrate();
  const sink = testSink(store);
  const items = simulatorItems(900, 4).map((item) => ({ line: item.line, relay: 'wss://profile.example' }));
  await feed(sink, await pipelineEvents(items));
  await sink.flush();
  await sink.close();
}, 120_000);

afterAll(async () => {
  for (const s of sessions) await closeChdbConnection(s);
  await store?.close();
});

describe('the Grafana reader profile', () => {
  it('fails loudly on a limit instead of answering short', () => {
    expect(readerProfile()).toMatchObject({ readonly: '1', result_overflow_mode: 'throw' });
  });

  it('gives every documented query its unlimited answer, though the views inside read more rows than the limit', async () => {
    const profile = { ...readerProfile(), max_result_rows: String(LIMIT) };
    const limited = await session(profile);
    const unlimited = await session({ readonly: '1' });
    // The data is larger than the limit in every view the examples read.
    for (const view of ['events', 'job_requests', 'job_responses', 'jobs']) {
      expect(
        Number(JSON.parse((await rows(unlimited, `SELECT count() FROM ${view}`))[0] as string)[0]),
        view,
      ).toBeGreaterThan(LIMIT);
    }
    const job = JSON.parse(
      (
        await rows(unlimited, "SELECT id FROM events WHERE role = 'request' ORDER BY id LIMIT 1")
      )[0] as string,
    )[0];
    let answered = 0;
    for (const example of EXAMPLE_QUERIES) {
      const sql = bindExample(example, { job });
      const expected = await rows(unlimited, sql);
      const outcome = await rows(limited, sql).catch((error: { clickhouseCode?: number }) => error);
      if (expected.length > LIMIT) {
        expect(outcome, example.id).toMatchObject({ clickhouseCode: 396 }); // TOO_MANY_ROWS_OR_BYTES
      } else {
        expect(outcome, example.id).toEqual(expected);
        answered++;
      }
    }
    expect(answered).toBe(EXAMPLE_QUERIES.length);
    // A final answer over the limit is an error.
    await expect(rows(limited, 'SELECT job_id FROM job_responses')).rejects.toMatchObject({
      clickhouseCode: 396,
    });
  });

  it('would have cut answers short silently with result_overflow_mode=break', async () => {
    const broken = await session({
      ...readerProfile(),
      max_result_rows: String(LIMIT),
      result_overflow_mode: 'break',
    });
    const unlimited = await session({ readonly: '1' });
    // `break` stops after the block that reaches the limit (ClickHouse src/QueryPipeline/SizeLimits.cpp,
    // `softCheck`), so an answer of several blocks comes back short, without an error.
    const query = 'SELECT job_id FROM job_responses AS r, numbers(1000) AS n';
    const all = await rows(unlimited, `SELECT count() FROM (${query})`);
    const cut = await rows(broken, query);
    expect(cut.length).toBeGreaterThan(0);
    expect(cut.length).toBeLessThan(Number(JSON.parse(all[0] as string)[0]));
  });
});
