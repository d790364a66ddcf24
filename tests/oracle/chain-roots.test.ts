import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleReplay } from '../../exporter/app/replay-assembly.js';
import { loadConfig } from '../../exporter/config/load.js';
import { JOB_LIMITS } from '../../exporter/jobs/options.js';
import type { NostrEvent } from '../../exporter/model/nostr-event.js';
import { deriveKey, type SimKey, signEvent } from '../../exporter/simulate/signer.js';
import { clickhouseSinkFactory } from '../../exporter/sinks/clickhouse/index.js';
import type { ClickHouseSink } from '../../exporter/sinks/clickhouse/sink.js';
import { traceSinkFactory } from '../../exporter/sinks/traces/factory.js';
import { replayFiles } from '../../exporter/sources/file-replay.js';
import { expandClickHouseSql } from '../dashboards/support/clickhouse-macros.js';
import { isClickHouseQuery, loadDashboards, panelQueries } from '../dashboards/support/dashboards.js';
import { type QueryResult, runReadOnly } from '../dashboards/support/history-store.js';
import { pageProblems } from '../dashboards/support/links.js';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import { silentLogger, writeParts } from './support.js';

/**
 * Chains whose parent request is never seen, is only a placeholder (responses name it, its request
 * never came), comes after the child, is named by an `e` tag instead of a `job` input, feeds two
 * children, or sits past the depth cap. A brute-force oracle written here (the raw tags, no parsing
 * code of the exporter) gives every job's root; the job index, the trace sink's job spans, the
 * `jobs` view and every chain panel of the job-debug dashboard must all agree with it, in both
 * arrival orders: one trace id per chain, no node or row linking to an empty job.
 */

const T0 = 1_767_225_600;
const customer = deriveKey('customer', 'chain-roots customer');
const forger = deriveKey('customer', 'chain-roots forger');
const dvm = deriveKey('dvm', 'chain-roots dvm');
const unseenId = (label: string) => createHash('sha256').update(`never published ${label}`).digest('hex');

let clock = T0;
const request = (tags: string[][], key: SimKey = customer): NostrEvent =>
  signEvent({ kind: 5100, created_at: clock++, tags: [['output', 'text/plain'], ...tags], content: '' }, key);
const jobInput = (id: string) => ['i', id, 'job'];
const prompt = ['i', 'a prompt', 'text'];
const feedback = (requestId: string): NostrEvent =>
  signEvent(
    {
      kind: 7000,
      created_at: clock++,
      tags: [
        ['status', 'processing'],
        ['e', requestId],
        ['p', customer.pubkey],
      ],
      content: '',
    },
    dvm,
  );
const cancel = (targetId: string, key: SimKey): NostrEvent =>
  signEvent(
    {
      kind: 5,
      created_at: clock++,
      tags: [
        ['e', targetId],
        ['k', '5100'],
      ],
      content: '',
    },
    key,
  );

/** The traffic, in the order it is published. */
function shallowTraffic(): NostrEvent[] {
  const events: NostrEvent[] = [];
  // 1. A parent never seen at all: the child is its own root.
  events.push(request([jobInput(unseenId('a'))]));
  // 2. Two children of one unseen parent: two roots.
  events.push(request([jobInput(unseenId('b'))]), request([prompt, jobInput(unseenId('b'))]));
  // 3. A placeholder parent (only a DVM's feedback names it), two children and a grandchild.
  const placeholder = unseenId('placeholder');
  const pc1 = request([jobInput(placeholder)]);
  const pc2 = request([jobInput(unseenId('c')), jobInput(placeholder)]);
  events.push(pc1, feedback(placeholder), pc2, request([jobInput(pc1.id)]));
  // 4. The parent arrives after the child (and after its grandchild).
  const late = request([prompt]);
  const lateChild = request([jobInput(late.id)]);
  events.push(request([jobInput(lateChild.id)]), lateChild, feedback(lateChild.id), late);
  // 5. An `e` tag or a non-job `i` tag is no chain link; a `job` input is, in upper case too.
  const named = request([prompt]);
  events.push(named, request([['e', named.id]]), request([['i', named.id, 'event']]));
  events.push(request([jobInput(named.id.toUpperCase())]));
  // 6. A cancelled chain root, and a forged cancellation of one of its steps.
  const cancelled = request([prompt]);
  const step = request([jobInput(cancelled.id)]);
  events.push(cancelled, step, feedback(step.id), cancel(cancelled.id, customer), cancel(step.id, forger));
  return events;
}

/**
 * A chain past the depth cap whose top is a placeholder. On its own: the `job_roots` walk then runs
 * to the cap, which makes every query over the store slow.
 */
function deepTraffic(): NostrEvent[] {
  const events: NostrEvent[] = [];
  const top = unseenId('deep top');
  events.push(feedback(top));
  let previous = top;
  for (let i = 0; i < JOB_LIMITS.chainDepth + 4; i++) {
    const next = request([jobInput(previous)]);
    events.push(next);
    previous = next.id;
  }
  return events;
}

/** What the protocol says, read off the raw events: jobs, parents, roots. */
function oracleRoots(events: readonly NostrEvent[]): Map<string, string> {
  const isRequest = (e: NostrEvent) => e.kind >= 5000 && e.kind <= 5999;
  const isResponse = (e: NostrEvent) => e.kind === 7000 || (e.kind >= 6000 && e.kind <= 6999);
  const jobs = new Set<string>();
  for (const e of events) {
    if (isRequest(e)) jobs.add(e.id);
    const named = isResponse(e) ? e.tags.find((t) => t[0] === 'e')?.[1] : undefined;
    if (named !== undefined) jobs.add(named);
  }
  const inputs = new Map<string, string[]>();
  for (const e of events.filter(isRequest)) {
    const ids = e.tags
      .filter((t) => t[0] === 'i' && t[2] === 'job' && /^[0-9a-fA-F]{64}$/.test(t[1] ?? ''))
      .map((t) => t[1]!.toLowerCase());
    inputs.set(e.id, ids);
  }
  const parentOf = (id: string) => (inputs.get(id) ?? []).find((p) => p !== id && jobs.has(p));
  const roots = new Map<string, string>();
  for (const id of jobs) {
    let current = id;
    for (let step = 0; step < JOB_LIMITS.chainDepth; step++) {
      const parent = parentOf(current);
      if (parent === undefined) break;
      current = parent;
    }
    roots.set(id, current);
  }
  return roots;
}

const traceOf = (root: string) => root.slice(0, 32);
const chainPanels = panelQueries(loadDashboards())
  .filter(isClickHouseQuery)
  .filter((q) => q.dashboard.uid === 'dvm-job-debug' && q.panel.title !== 'Newest 200 events');
const dashboards = loadDashboards().map((d) => d.json);

const dataDir = mkdtempSync(join(tmpdir(), 'dvm-exporter-chain-roots-'));
let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await OtlpReceiver.start();
});
afterAll(async () => {
  await receiver?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Traffic {
  readonly events: readonly NostrEvent[];
  /** Each job's root, by the oracle. */
  readonly expected: ReadonlyMap<string, string>;
  /** The `$job` values the panels are tried with. */
  readonly values: readonly string[];
}

function trafficOf(events: readonly NostrEvent[], values: (t: Traffic) => string[]): Traffic {
  const partial = { events, expected: oracleRoots(events), values: [] };
  return { ...partial, values: values(partial) };
}

interface Seen {
  index: Map<string, string | undefined>;
  spans: Map<string, Set<string>>;
  sql: Map<string, { root: string; trace: string }>;
  /** Per panel query label, per `$job` value, the panel's answer. */
  panels: Map<string, Map<string, QueryResult>>;
}

/** Replays the traffic in `order` through the index, the trace sink and the store; reads every answer. */
async function replay(traffic: Traffic, order: readonly NostrEvent[]): Promise<Seen> {
  const { expected, values } = traffic;
  receiver.clear();
  const config = loadConfig({
    env: {},
    overrides: { dataDir, tracing: { otlpEndpoint: receiver.url, serviceName: 'dvm-exporter' } },
  });
  const assembly = await assembleReplay(config, {
    logger: silentLogger,
    sinks: [clickhouseSinkFactory, traceSinkFactory],
  });
  try {
    const store = (assembly.sinks.find((s) => s.name === 'clickhouse') as ClickHouseSink).store;
    await store.client.command({ query: 'TRUNCATE TABLE events' });
    await replayFiles(assembly.pipeline, writeParts([order.map((e) => JSON.stringify(e))]));
    await assembly.pipeline.flush();
    const index = new Map([...expected.keys()].map((id) => [id, assembly.pipeline.jobs.get(id)?.rootId]));
    const jobs = await runReadOnly(store, 'SELECT job_id, root_id, trace_id FROM jobs');
    const sql = new Map(
      jobs.rows.map(([id, root, trace]) => [String(id), { root: String(root), trace: String(trace) }]),
    );
    const panels = new Map<string, Map<string, QueryResult>>();
    for (const q of chainPanels) {
      const answers = new Map<string, QueryResult>();
      const sql = values
        .map((job) => {
          const expanded = expandClickHouseSql(q.target.rawSql ?? '', {
            fromMs: (T0 - 600) * 1000,
            toMs: (clock + 600) * 1000,
            intervalMs: 60_000,
            variables: { job, user: '' },
          });
          return `SELECT '${job}' AS var_job, * FROM (${expanded})`;
        })
        .join('\nUNION ALL\n');
      const result = await runReadOnly(store, sql);
      for (const job of values) {
        answers.set(job, {
          columns: result.columns.slice(1),
          rows: result.rows.filter((r) => r[0] === job).map((r) => r.slice(1)),
        });
      }
      panels.set(q.label, answers);
    }
    await assembly.close();
    const spans = new Map<string, Set<string>>();
    for (const span of receiver.spans()) {
      if (!span.name.startsWith('dvm.job')) continue;
      const id = String(span.attributes['dvm.job.id']);
      spans.set(id, (spans.get(id) ?? new Set()).add(span.traceId));
    }
    return { index, spans, sql, panels };
  } catch (error) {
    await assembly.close();
    throw error;
  }
}

/** The job a `$job` value names, as the oracle reads it: a request itself, a response's `e`, a cancellation's `e`. */
function jobOfEvent(events: readonly NostrEvent[], id: string): string {
  const event = events.find((e) => e.id === id)!;
  if (event.kind >= 5000 && event.kind <= 5999) return event.id;
  return event.tags.find((t) => t[0] === 'e')![1]!;
}

/**
 * The `$job` values tried: of every chain, its root, its last step, and every event that is not a
 * request (feedback, cancellations); a value is any event id of a job.
 */
function everyChain({ events, expected }: Traffic): string[] {
  const values = new Set<string>();
  for (const root of new Set(expected.values())) {
    const chain = events.filter((e) => expected.get(e.id) === root);
    if (chain[0] !== undefined) values.add(chain[0].id);
    if (chain.length > 0) values.add(chain[chain.length - 1]!.id);
  }
  for (const e of events) if (e.kind < 5000 || e.kind > 5999) values.add(e.id);
  return [...values];
}

const named = (result: QueryResult) =>
  result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c.name, row[i]])));

const shallow = trafficOf(shallowTraffic(), everyChain);
const deep = trafficOf(deepTraffic(), ({ events }) => [events[events.length - 1]!.id]);

describe.each([
  ['unseen, placeholder, late and e-tag parents, published order', shallow, false],
  ['unseen, placeholder, late and e-tag parents, reverse order', shallow, true],
  ['a chain past the depth cap, published order', deep, false],
  ['a chain past the depth cap, reverse order', deep, true],
] as const)('chain roots: %s', (_name, traffic, reverse) => {
  const { events, expected, values } = traffic;
  let seen: Seen;
  beforeAll(async () => {
    seen = await replay(traffic, reverse ? [...events].reverse() : events);
  }, 120_000);

  const traceOfRoot = () => new Map([...expected].map(([id, root]) => [id, traceOf(root)]));

  it('the job index roots every job where the oracle does', () => {
    expect(seen.index).toEqual(new Map(expected));
  });

  it("the trace sink puts every job's span in its root's trace", () => {
    expect(new Map([...seen.spans].map(([id, traces]) => [id, [...traces]]))).toEqual(
      new Map([...traceOfRoot()].map(([id, trace]) => [id, [trace]])),
    );
  });

  it('the jobs view (job_roots) agrees: same root, same trace id', () => {
    expect(seen.sql).toEqual(
      new Map([...expected].map(([id, root]) => [id, { root, trace: traceOf(root) }])),
    );
  });

  it('every chain panel of job debug shows one trace, the oracle’s, and no empty job link', () => {
    const byTitle = (title: string, refId = 'A') =>
      seen.panels.get([...seen.panels.keys()].find((l) => l.endsWith(`/ ${title} / ${refId}`))!)!;
    for (const value of values) {
      const root = expected.get(jobOfEvent(events, value))!;
      const chain = [root, ...[...expected].filter(([id, r]) => r === root && id !== root).map(([id]) => id)];
      const where = `$job = ${value}`;
      const stat = named(byTitle('Trace of this chain').get(value)!);
      expect(
        stat.map((r) => r.trace_id),
        where,
      ).toEqual([traceOf(root)]);
      const jobs = named(byTitle('Jobs in this chain').get(value)!);
      expect(new Set(jobs.map((r) => r.job)), where).toEqual(new Set(chain));
      // A root past the cap is itself a step of the chain above: its own rows carry that trace.
      const traceOfJob = (job: unknown) => traceOf(expected.get(String(job))!);
      for (const row of jobs) expect(row.trace_id, `${where}: job ${row.job}`).toBe(traceOfJob(row.job));
      const timeline = named(byTitle('Timeline of the chain').get(value)!);
      for (const row of timeline) {
        expect(chain, `${where}: job of ${row.event}`).toContain(row.job);
        expect(row.trace_id, `${where}: trace of ${row.event}`).toBe(traceOfJob(row.job));
      }
      if (expected.get(root) === root) {
        expect(new Set(timeline.map((r) => r.trace_id)), `${where}: one trace`).toEqual(
          new Set([traceOf(root)]),
        );
      }
      const nodes = named(byTitle('Job chain', 'nodes').get(value)!);
      for (const node of nodes) {
        expect(pageProblems(String(node.open_page), dashboards), `${where}: node ${node.id}`).toEqual([]);
      }
      const ids = new Set(nodes.map((n) => n.id));
      for (const edge of named(byTitle('Job chain', 'edges').get(value)!)) {
        expect(ids.has(edge.source) && ids.has(edge.target), `${where}: edge ${edge.id}`).toBe(true);
      }
    }
  });
});
