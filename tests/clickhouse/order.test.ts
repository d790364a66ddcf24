import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../exporter/jobs/domain-events.js';
import { bindExample, EXAMPLE_QUERIES } from '../../exporter/sql/examples.js';
import { Store } from '../../exporter/store/store.js';
import {
  accepted,
  feed,
  pipelineEvents,
  rows,
  scalar,
  shuffled,
  simulatorItems,
  tempDataDir,
  testSink,
} from './helpers.js';

/**
 * The derived tables must answer the same whatever order events arrive in and however many relays
 * deliver them: one relay in publication order, three relays in a shuffled order (responses before
 * their requests, children before their parents), and everything backwards.
 */

const dataDir = tempDataDir('order');
let store: Store;

const RELAYS = ['wss://relay-a.example', 'wss://relay-b.example', 'wss://relay-c.example'];
const items = simulatorItems();
/** Sightings are kept 30 days from when they were received: receive the old traffic now. */
const now = Math.floor(Date.now() / 1000);
const receivedAt = (at: number) => now - (items[items.length - 1]?.at ?? at) + at;

/** Everything the store derives, minus what legitimately depends on delivery (first sighting). */
const SNAPSHOT_QUERIES = [
  `SELECT * EXCEPT (first_seen_at, first_relay, ingested_at) FROM events FINAL ORDER BY id`,
  'SELECT * FROM jobs ORDER BY job_id',
  'SELECT * FROM job_responses ORDER BY job_id, dvm',
  'SELECT * FROM dvms ORDER BY dvm',
  'SELECT * FROM dvm_profiles ORDER BY dvm',
  'SELECT * FROM dvm_heartbeats ORDER BY dvm',
  `SELECT day, role, job_kind, kind, encrypted, uniqExactMerge(events) AS events, uniqExactMerge(authors) AS authors,
          min(first_at) AS first_at, max(last_at) AS last_at
   FROM events_daily GROUP BY day, role, job_kind, kind, encrypted ORDER BY day, role, job_kind, kind, encrypted`,
  `SELECT day, dvm, role, job_kind, uniqExactMerge(events) AS events, uniqExactMerge(jobs) AS jobs,
          uniqExactMerge(customers) AS customers
   FROM dvm_daily GROUP BY day, dvm, role, job_kind ORDER BY day, dvm, role, job_kind`,
];

let chainedJob = '';

beforeAll(async () => {
  store = await Store.open({ kind: 'embedded', path: `${dataDir}/clickhouse` }, { create: true });
  await store.migrate();
  const requests = accepted(
    await pipelineEvents(items.map(({ line }) => ({ line, relay: RELAYS[0] as string }))),
  )
    .map((e) => e.event)
    .filter((e) => e.role === 'request' && e.jobInputs.length > 0)
    .map((e) => e.event.id)
    .sort();
  chainedJob = requests[0] ?? '';
});
afterAll(async () => {
  await store?.close();
});

async function reset(): Promise<void> {
  for (const table of ['events', 'relay_sightings', 'dvm_announcements', 'events_daily', 'dvm_daily']) {
    await store.client.command({ query: `TRUNCATE TABLE ${table}` });
  }
}

/** Stores the events in the given order (through the sink, in its batches) and snapshots every answer. */
async function storeAndSnapshot(events: readonly DomainEvent[]): Promise<unknown[]> {
  await reset();
  const sink = testSink(store, { batchMaxRows: 397 });
  await feed(sink, events);
  await sink.flush();
  const snapshot: unknown[] = [];
  for (const sql of SNAPSHOT_QUERIES) snapshot.push(await rows(store, sql));
  for (const example of EXAMPLE_QUERIES)
    snapshot.push(await rows(store, bindExample(example, { job: chainedJob })));
  return snapshot;
}

describe('derived tables are independent of arrival order and relay count', () => {
  it('gives identical answers for one relay in order, three relays shuffled, and everything reversed', async () => {
    expect(chainedJob).toMatch(/^[0-9a-f]{64}$/);
    const inOrder = await pipelineEvents(
      items.map(({ line, at }) => ({ line, relay: RELAYS[0] as string, receivedAt: receivedAt(at) })),
    );
    const threeRelays = await pipelineEvents(
      shuffled(
        items.flatMap(({ line, at }) =>
          RELAYS.map((relay, i) => ({ line, relay, receivedAt: receivedAt(at) + i })),
        ),
        7,
      ),
    );
    const reversed = await pipelineEvents(
      [...items]
        .reverse()
        .map(({ line, at }) => ({ line, relay: RELAYS[1] as string, receivedAt: receivedAt(at) })),
    );
    const acceptedCount = accepted(inOrder).length;
    expect(accepted(threeRelays).length).toBe(acceptedCount);
    expect(accepted(reversed).length).toBe(acceptedCount);

    const expected = await storeAndSnapshot(inOrder);
    expect(await scalar(store, 'SELECT count() FROM events FINAL')).toBe(acceptedCount);
    expect(await scalar(store, `SELECT count() FROM jobs WHERE parent_id IS NOT NULL`)).toBeGreaterThan(0);

    // Each event stored twice more, as by a restarted exporter's backfill: raw rows hold copies.
    const withBackfill = shuffled(
      [
        ...threeRelays,
        ...accepted(threeRelays).map((e) => ({
          ...e,
          relay: RELAYS[2] as string,
          receivedAt: e.receivedAt + 60,
        })),
      ],
      11,
    );
    expect(await storeAndSnapshot(withBackfill)).toEqual(expected);
    // Every copy from every relay is a sighting; events still hold one row per event.
    expect(await scalar(store, 'SELECT uniqExact(id, relay) FROM relay_sightings')).toBe(
      (await scalar(store, 'SELECT uniqExact(id) FROM events')) * RELAYS.length,
    );
    expect(await storeAndSnapshot(reversed)).toEqual(expected);
  }, 300_000);

  it('keeps the earliest sighting when a copy is stored again later (restart, backfill)', async () => {
    await reset();
    const events = accepted(
      await pipelineEvents(
        items
          .slice(0, 200)
          .map(({ line, at }) => ({ line, relay: RELAYS[2] as string, receivedAt: at + 30 })),
      ),
    );
    const earlier = events.map((e) => ({ ...e, relay: RELAYS[0] as string, receivedAt: e.receivedAt - 20 }));
    // The later copy is stored first, the earlier one after it: the earliest must still win.
    for (const batch of [events, earlier]) {
      const sink = testSink(store);
      await feed(sink, batch);
      await sink.flush();
    }
    const final = await rows<{ first_relay: string; n: number }>(
      store,
      'SELECT first_relay, count() AS n FROM events FINAL GROUP BY first_relay',
    );
    expect(final).toEqual([{ first_relay: RELAYS[0], n: events.length }]);
  });
});
