import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../exporter/base/clock.js';
import type { DomainEvent } from '../../exporter/jobs/domain-events.js';
import type { DvmEvent } from '../../exporter/model/dvm-event.js';
import {
  SCENARIO_NAMES,
  type ScenarioName,
  SIM_DVMS,
  scenarioEvents,
} from '../../exporter/simulate/index.js';
import { deriveKey, signEvent } from '../../exporter/simulate/signer.js';
import { ClickHouseSink } from '../../exporter/sinks/clickhouse/sink.js';
import { Store } from '../../exporter/store/store.js';
import {
  accepted,
  feed,
  pipelineEvents,
  rows,
  scalar,
  silentLogger,
  simulatorItems,
  TEST_SINK_OPTIONS,
  tempDataDir,
  testSink,
} from './helpers.js';

/** Every role lands in the right tables, with the right derived values, on small exact stories. */

const dataDir = tempDataDir('roles');
const R1 = 'wss://one.example';
const R2 = 'wss://two.example';
const now = Math.floor(Date.now() / 1000);
const registry = new Registry();
let store: Store;
let domainEvents: DomainEvent[];
let stored: DvmEvent[];
const scenario = new Map<ScenarioName, DvmEvent[]>();

const dvmPubkey = (name: string) => SIM_DVMS.find((d) => d.name === name)?.pubkey ?? '';

function one<T extends DvmEvent['role']>(
  name: ScenarioName,
  role: T,
  index = 0,
): Extract<DvmEvent, { role: T }> {
  const found = (scenario.get(name) ?? []).filter((e) => e.role === role)[index];
  if (!found) throw new Error(`${name} has no ${role} #${index}`);
  return found as Extract<DvmEvent, { role: T }>;
}

beforeAll(async () => {
  store = await Store.open({ kind: 'embedded', path: `${dataDir}/clickhouse` }, { create: true });
  await store.migrate();
  const lines: { line: string; relay: string; receivedAt: number }[] = [];
  for (const [index, name] of SCENARIO_NAMES.entries()) {
    // A seed per story gives each its own customer, so no two stories share an event.
    const items = scenarioEvents(name, index + 1);
    for (const item of items) lines.push({ line: item.line, relay: R1, receivedAt: now });
    // A second relay delivers the same events a second later: sightings, not new rows.
    for (const item of items) lines.push({ line: item.line, relay: R2, receivedAt: now + 1 });
    scenario.set(
      name,
      accepted(await pipelineEvents(items.map(({ line }) => ({ line, relay: R1 })))).map((e) => e.event),
    );
  }
  // Background traffic for the roles stories lack: announcements, recommendations, heartbeats.
  for (const item of simulatorItems(900, 3)) lines.push({ line: item.line, relay: R1, receivedAt: now });
  // Signed in 2017: valid, but never stored.
  const ancient = signEvent(
    { kind: 5300, created_at: 1_500_000_000, tags: [['p', dvmPubkey('Feedwise')]], content: '' },
    deriveKey('ancient', 'roles-test/ancient'),
  );
  lines.push({ line: JSON.stringify(ancient), relay: R1, receivedAt: now });
  domainEvents = await pipelineEvents(lines);
  stored = accepted(domainEvents)
    .map((e) => e.event)
    .filter((e) => e.event.id !== ancient.id);
  const sink = new ClickHouseSink(store, TEST_SINK_OPTIONS, {
    registry,
    logger: silentLogger,
    wallClock: { now: () => Date.now() / 1000 },
  });
  await feed(sink, domainEvents);
  await sink.flush();
}, 120_000);

afterAll(async () => {
  await store?.close();
});

async function droppedRows(reason: string): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find(
    (m) => m.name === 'dvm_exporter_clickhouse_rows_dropped_total',
  );
  const values = (metric as { values?: { labels: Record<string, string>; value: number }[] })?.values ?? [];
  return values.filter((v) => v.labels.reason === reason).reduce((sum, v) => sum + v.value, 0);
}

describe('events', () => {
  it('stores every accepted event once, with its role', async () => {
    const byRole = await rows<{ role: string; n: number }>(
      store,
      'SELECT role, count() AS n FROM events FINAL GROUP BY role ORDER BY role',
    );
    const expected = new Map<string, number>();
    for (const e of stored) expected.set(e.role, (expected.get(e.role) ?? 0) + 1);
    expect(byRole).toEqual(
      [...expected].sort(([a], [b]) => a.localeCompare(b)).map(([role, n]) => ({ role, n })),
    );
    expect(byRole.map((r) => r.role)).toEqual([
      'announcement',
      'cancellation',
      'feedback',
      'heartbeat',
      'recommendation',
      'request',
      'result',
      'zap_receipt',
    ]);
  });

  it('keeps the signed event whole and the role columns filled from the parsed event', async () => {
    const paid = one('payment-then-success', 'feedback');
    const [row] = await rows<Record<string, unknown>>(
      store,
      `SELECT * FROM events FINAL WHERE id = '${paid.event.id}'`,
    );
    expect(row).toMatchObject({
      pubkey: paid.event.pubkey,
      kind: 7000,
      role: 'feedback',
      request_id: one('payment-then-success', 'request').event.id,
      dvm: dvmPubkey('Babel'),
      status: 'payment-required',
      amount_msat: 21_000,
      invoice_msat: 21_000,
      tags: paid.event.tags,
      content: paid.event.content,
      sig: paid.event.sig,
      first_relay: R1,
    });
    const chained = one('three-step-chain', 'request', 1);
    const [request] = await rows<Record<string, unknown>>(
      store,
      `SELECT job_kind, customer, job_inputs, targets FROM events FINAL WHERE id = '${chained.event.id}'`,
    );
    expect(request).toEqual({
      job_kind: 5002,
      customer: chained.event.pubkey,
      job_inputs: [one('three-step-chain', 'request', 0).event.id],
      targets: [dvmPubkey('Babel')],
    });
    const result = one('one-dvm', 'result');
    expect(await scalar(store, `SELECT job_kind FROM events WHERE id = '${result.event.id}'`)).toBe(5300);
  });

  it('refuses absurd created_at values and counts them', async () => {
    expect(await scalar(store, "SELECT count() FROM events WHERE created_at < '2020-01-01'")).toBe(0);
    expect(await droppedRows('created_at_out_of_range')).toBe(1);
    // Too far ahead of the wall clock (10 minutes of slack): refused too.
    const clock = new ManualClock(stored[0]!.event.created_at - 601);
    const local = new Registry();
    const sink = new ClickHouseSink(store, TEST_SINK_OPTIONS, {
      registry: local,
      logger: silentLogger,
      wallClock: clock,
    });
    sink.handle({ type: 'event_accepted', at: 0, event: stored[0]!, relay: R1, receivedAt: clock.now() });
    await sink.flush();
    const metric = await local.getSingleMetricAsString('dvm_exporter_clickhouse_rows_dropped_total');
    expect(metric).toContain(
      'dvm_exporter_clickhouse_rows_dropped_total{table="events",reason="created_at_out_of_range"} 1',
    );
  });
});

describe('relay sightings', () => {
  it('record the first delivery and every further copy, per relay', async () => {
    const ids = [...scenario.values()].flat().map((e) => `'${e.event.id}'`);
    const sightings = await rows<{ relay: string; first: number; n: number }>(
      store,
      `SELECT relay, first, uniqExact(id) AS n FROM relay_sightings WHERE id IN (${ids.join(',')})
       GROUP BY relay, first ORDER BY relay, first`,
    );
    expect(sightings).toEqual([
      { relay: R1, first: 1, n: ids.length },
      { relay: R2, first: 0, n: ids.length },
    ]);
  });
});

describe('jobs and responses', () => {
  it('derive payment, timing and earnings per (job, DVM)', async () => {
    const request = one('payment-then-success', 'request');
    const [row] = await rows<Record<string, unknown>>(
      store,
      `SELECT * FROM job_responses WHERE job_id = '${request.event.id}'`,
    );
    expect(row).toMatchObject({
      dvm: dvmPubkey('Babel'),
      kind: 5002,
      customer: request.event.pubkey,
      request_seen: 1,
      feedback_count: 3,
      result_count: 1,
      first_result_id: one('payment-then-success', 'result').event.id,
      final_status: 'success',
      asked_payment: 1,
      requested_msat: 21_000,
      invoice_msat: 21_000,
      earned_msat: 21_000,
      feedback_seconds: 2,
      result_seconds: 30,
      trace_id: request.event.id.slice(0, 32),
    });
  });

  it('give every job its outcome', async () => {
    const outcomes = Object.fromEntries(
      await Promise.all(
        (['one-dvm', 'payment-then-success', 'error', 'expired', 'cancelled'] as const).map(async (name) => [
          name,
          await rows(
            store,
            `SELECT outcome, dvms, results FROM jobs WHERE job_id = '${one(name, 'request').event.id}'`,
          ),
        ]),
      ),
    );
    expect(outcomes).toEqual({
      'one-dvm': [{ outcome: 'success', dvms: 1, results: 1 }],
      'payment-then-success': [{ outcome: 'success', dvms: 1, results: 1 }],
      error: [{ outcome: 'error', dvms: 1, results: 0 }],
      expired: [{ outcome: 'open', dvms: 1, results: 0 }],
      cancelled: [{ outcome: 'cancelled', dvms: 1, results: 0 }],
    });
    const multi = one('multi-dvm', 'request').event.id;
    expect(
      await rows(store, `SELECT dvms, dvms_delivered, results FROM jobs WHERE job_id = '${multi}'`),
    ).toEqual([{ dvms: 2, dvms_delivered: 2, results: 2 }]);
  });

  it('link chains to their root, whatever the input order', async () => {
    const [audio, translate, summarize] = [0, 1, 2].map(
      (i) => one('three-step-chain', 'request', i).event.id,
    );
    expect(
      await rows(
        store,
        `SELECT job_id, parent_id, root_id, trace_id FROM jobs WHERE root_id = '${audio}' ORDER BY requested_at`,
      ),
    ).toEqual([
      { job_id: audio, parent_id: null, root_id: audio, trace_id: audio?.slice(0, 32) },
      { job_id: translate, parent_id: audio, root_id: audio, trace_id: audio?.slice(0, 32) },
      { job_id: summarize, parent_id: translate, root_id: audio, trace_id: audio?.slice(0, 32) },
    ]);
    const [subject, , cutout, overlay] = [0, 1, 2, 3].map(
      (i) => one('branching-chain', 'request', i).event.id,
    );
    // Two job inputs: the first one in tag order is the parent.
    expect(await rows(store, `SELECT parent_id, root_id FROM jobs WHERE job_id = '${overlay}'`)).toEqual([
      { parent_id: cutout, root_id: subject },
    ]);
  });

  it('count a response that arrived before its request against the request once it is there', async () => {
    const request = one('result-before-request', 'request');
    expect(
      await rows(
        store,
        `SELECT request_seen, kind, result_seconds FROM job_responses WHERE job_id = '${request.event.id}'`,
      ),
    ).toEqual([{ request_seen: 1, kind: 5300, result_seconds: 3 }]);
  });
});

describe('DVMs', () => {
  it('keep each announcement and show the latest profile', async () => {
    const announcements = stored.filter((e) => e.role === 'announcement');
    expect(await scalar(store, 'SELECT count() FROM dvm_announcements FINAL')).toBe(announcements.length);
    const profiles = await rows<{ dvm: string; name: string; kinds: number[] }>(
      store,
      'SELECT dvm, name, kinds FROM dvm_profiles ORDER BY dvm',
    );
    expect(profiles).toEqual(
      SIM_DVMS.map((d) => ({ dvm: d.pubkey, name: d.name, kinds: [...d.kinds].sort() })).sort((a, b) =>
        a.dvm.localeCompare(b.dvm),
      ),
    );
  });

  it('know when each DVM last beat', async () => {
    const beats = new Map<string, number>();
    for (const e of stored) {
      if (e.role === 'heartbeat')
        beats.set(e.event.pubkey, Math.max(beats.get(e.event.pubkey) ?? 0, e.event.created_at));
    }
    expect(beats.size).toBeGreaterThan(0);
    const rowsByDvm = await rows<{ dvm: string; last: number }>(
      store,
      'SELECT dvm, toUnixTimestamp(last_heartbeat_at) AS last FROM dvm_heartbeats ORDER BY dvm',
    );
    expect(rowsByDvm).toEqual(
      [...beats].sort(([a], [b]) => a.localeCompare(b)).map(([dvm, last]) => ({ dvm, last })),
    );
  });

  it('store zap receipts and recommendations with what they point at', async () => {
    const zap = one('payment-then-success', 'zap_receipt');
    expect(
      await rows(store, `SELECT dvm, zap_msat, target_ids FROM events WHERE id = '${zap.event.id}'`),
    ).toEqual([
      {
        dvm: dvmPubkey('Babel'),
        zap_msat: 5_000,
        target_ids: [one('payment-then-success', 'result').event.id],
      },
    ]);
    const recommendation = stored.find((e) => e.role === 'recommendation');
    if (recommendation?.role !== 'recommendation') throw new Error('no recommendation in the traffic');
    expect(
      await rows(store, `SELECT job_kind, target_ids FROM events WHERE id = '${recommendation.event.id}'`),
    ).toEqual([{ job_kind: recommendation.supportedKind ?? 0, target_ids: recommendation.handlers }]);
  });
});

describe('job index events', () => {
  it('write nothing: jobs are derived from the stored events, not from the index', async () => {
    const before = await scalar(store, 'SELECT count() FROM events');
    const sink = testSink(store);
    sink.handle({ type: 'job_evicted', at: 0, jobId: 'x', reason: 'cap', wasOpen: false });
    await sink.flush();
    expect(await scalar(store, 'SELECT count() FROM events')).toBe(before);
  });
});
