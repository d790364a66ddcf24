import { verifyEvent } from 'nostr-tools/pure';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grafanaRef } from '../../dashboards/src/lib/links.js';
import type { Store } from '../../exporter/store/store.js';
import { expandClickHouseSql, type QueryContext } from './support/clickhouse-macros.js';
import {
  isClickHouseQuery,
  loadDashboards,
  type Panel,
  type PanelQuery,
  panelQueries,
  variableQueryText,
  variablesOf,
} from './support/dashboards.js';
import { type FilledStore, filledStore, type QueryResult, runReadOnly } from './support/history-store.js';
import { pageProblems } from './support/links.js';
import { fieldsUsedBy, headersOf } from './support/panel-fields.js';
import { GRAFANA_FORMATS } from './support/template-variables.js';

/**
 * Every ClickHouse query of every panel and variable, expanded as grafana-clickhouse-datasource
 * expands it, run against the embedded engine holding two hours of simulator traffic.
 */

const dashboards = loadDashboards();
const queries = panelQueries(dashboards).filter(isClickHouseQuery);

let filled: FilledStore;
let store: Store;
/** The job answered by most DVMs. */
let crowdedJob: string;
/** Variable values to try per dashboard (the values Grafana's variables would offer, and more). */
const scenarios = new Map<string, Array<Record<string, string>>>();
/** Results per query label, one per scenario. */
const results = new Map<string, Array<{ vars: Record<string, string>; result: QueryResult }>>();

function context(vars: Record<string, string>): QueryContext {
  return {
    fromMs: (filled.start - 600) * 1000,
    toMs: (filled.end + 60) * 1000,
    intervalMs: 60_000,
    variables: vars,
  };
}

async function column(sql: string): Promise<string[]> {
  return (await runReadOnly(store, sql)).rows.map((r) => String(r[0]));
}

beforeAll(async () => {
  filled = await filledStore();
  store = filled.store;
  // The DVM that delivered most, and the one that asked for payment most often without delivering;
  // the busiest kind and the quietest.
  const [busiest] = await column('SELECT dvm FROM dvm_activity ORDER BY jobs_delivered DESC, dvm LIMIT 1');
  const [unpaid] = await column(
    "SELECT dvm FROM job_responses WHERE result_count = 0 AND bolt11 != '' GROUP BY dvm ORDER BY count() DESC, dvm LIMIT 1",
  );
  const kinds = await column(
    'SELECT kind FROM job_requests GROUP BY kind ORDER BY count() DESC, kind LIMIT 1 UNION ALL ' +
      'SELECT kind FROM job_requests GROUP BY kind ORDER BY count() ASC, kind LIMIT 1',
  );
  // A three-step chain (from its last step), a job whose DVM asked for payment (from that feedback),
  // a job answered by several DVMs, and no job at all.
  // Ties go by time, not by id: ids change with the traffic's start time, its shape does not, so every run
  // picks the same jobs of the seeded traffic.
  const [deepest] = await column(
    'SELECT r.job_id FROM job_roots AS r LEFT JOIN (SELECT id, created_at FROM events FINAL) AS e ON e.id = r.job_id ' +
      'ORDER BY r.chain_depth DESC, e.created_at, r.job_id LIMIT 1',
  );
  const [invoice] = await column(
    "SELECT id FROM events WHERE role = 'feedback' AND bolt11 != '' ORDER BY created_at, id LIMIT 1",
  );
  const [crowded] = await column(
    'SELECT job_id FROM job_responses GROUP BY job_id ORDER BY count() DESC, min(first_response_at), job_id LIMIT 1',
  );
  const [customer] = await column(
    "SELECT pubkey FROM events WHERE role = 'request' ORDER BY created_at, id LIMIT 1",
  );

  scenarios.set('dvm-detail', [{ dvm: busiest! }, { dvm: unpaid! }]);
  scenarios.set(
    'dvm-kind-detail',
    kinds.map((kind) => ({ kind })),
  );
  crowdedJob = crowded!;
  scenarios.set('dvm-job-debug', [
    { job: deepest!, user: '' },
    { job: invoice!, user: '' },
    { job: crowded!, user: '' },
    { job: '', user: '' },
    { job: '', user: customer! },
  ]);
  for (const q of queries) {
    const runs: Array<{ vars: Record<string, string>; result: QueryResult }> = [];
    for (const vars of scenarios.get(q.dashboard.uid) ?? [{}]) {
      const sql = expandClickHouseSql(q.target.rawSql ?? '', context(vars));
      try {
        runs.push({ vars, result: await runReadOnly(store, sql) });
      } catch (error) {
        throw new Error(`${q.label} with ${JSON.stringify(vars)}: ${(error as Error).message}\n${sql}`);
      }
    }
    results.set(q.label, runs);
  }
}, 240_000);

afterAll(async () => {
  await filled?.dispose();
});

const firstWithRows = (q: PanelQuery) => results.get(q.label)?.find((r) => r.result.rows.length > 0);

/** The columns a panel's ClickHouse queries return together (a panel may have several queries). */
function panelColumns(panel: Panel): Set<string> {
  const names = new Set<string>();
  for (const q of queries.filter((x) => x.panel === panel)) {
    for (const c of firstWithRows(q)?.result.columns ?? []) names.add(c.name);
  }
  return names;
}

const isNumeric = (type: string) => /^(Nullable\()?(U?Int|Float|Decimal)/.test(type);
const isTime = (type: string) => /^(Nullable\()?(DateTime|Date)/.test(type);

describe('ClickHouse panel queries on simulator traffic', () => {
  it('cover every ClickHouse panel of the dashboards', () => {
    expect(queries.length).toBeGreaterThan(40);
  });

  it.each(queries.map((q) => [q.label, q] as const))('%s returns rows', (_label, q) => {
    const withRows = firstWithRows(q);
    expect(
      withRows,
      `no rows for any of ${JSON.stringify(results.get(q.label)?.map((r) => r.vars))}`,
    ).toBeDefined();
    const { columns, rows } = withRows!.result;
    if (q.target.queryType === 'timeseries') {
      expect(isTime(columns[0]!.type), `${columns[0]!.name} is ${columns[0]!.type}`).toBe(true);
      for (const c of columns.slice(1)) expect(isNumeric(c.type), `${c.name} is ${c.type}`).toBe(true);
      const times = rows.map((r) => String(r[0]));
      expect(times).toEqual([...times].sort());
    }
    if (q.panel.type === 'stat' && !fieldsUsedBy(q.panel).length) {
      expect(isNumeric(columns[0]!.type), `${columns[0]!.name} is ${columns[0]!.type}`).toBe(true);
    }
  });

  const panels = [...new Set(queries.map((q) => q.panel))];
  it.each(panels.map((p) => [`${p.title}`, p] as const))(
    '%s: every column the panel styles or links exists',
    (_t, panel) => {
      const columns = panelColumns(panel);
      for (const field of fieldsUsedBy(panel)) expect([...columns], `column "${field}"`).toContain(field);
      const sortBy = (panel.options as { sortBy?: Array<{ displayName: string }> } | undefined)?.sortBy ?? [];
      const headers = headersOf(panel);
      for (const { displayName } of sortBy)
        expect(columns.has(headers.get(displayName) ?? displayName)).toBe(true);
    },
  );

  it('the job graph has well-formed nodes and edges, every edge between known nodes', () => {
    const graph = panels.find((p) => p.type === 'nodeGraph')!;
    const nodesQuery = queries.find((q) => q.panel === graph && q.target.refId === 'nodes')!;
    const edgesQuery = queries.find((q) => q.panel === graph && q.target.refId === 'edges')!;
    const runs = results.get(nodesQuery.label)!;
    let withEdges = 0;
    for (const [i, nodesRun] of runs.entries()) {
      const edgesRun = results.get(edgesQuery.label)![i]!;
      const nodeCols = nodesRun.result.columns.map((c) => c.name);
      expect(nodeCols.slice(0, 4)).toEqual(['id', 'title', 'subtitle', 'mainstat']);
      expect(edgesRun.result.columns.map((c) => c.name)).toEqual(['id', 'source', 'target', 'mainstat']);
      const ids = nodesRun.result.rows.map((r) => String(r[0]));
      expect(new Set(ids).size).toBe(ids.length);
      const arcs = nodeCols.flatMap((c, index) => (c.startsWith('arc__') ? [index] : []));
      for (const row of nodesRun.result.rows) {
        expect(
          arcs.reduce((sum, index) => sum + Number(row[index]), 0),
          `arcs of ${row[0]}`,
        ).toBe(1);
      }
      const edgeIds = edgesRun.result.rows.map((r) => String(r[0]));
      expect(new Set(edgeIds).size).toBe(edgeIds.length);
      for (const [, source, target] of edgesRun.result.rows) {
        expect(ids).toContain(String(source));
        expect(ids).toContain(String(target));
      }
      if (edgesRun.result.rows.length > 0) withEdges++;
      // Users, DVMs, requests, feedback and results all appear in a chain with answers.
      if (nodesRun.vars.job !== '') {
        const titles = nodesRun.result.rows.map((r) => String(r[1]));
        expect(titles.some((t) => t === 'user')).toBe(true);
        expect(titles.some((t) => t.startsWith('request'))).toBe(true);
        expect(titles.some((t) => t.startsWith('feedback') || t.startsWith('result'))).toBe(true);
      } else {
        expect(nodesRun.result.rows).toEqual([]);
      }
    }
    expect(withEdges).toBeGreaterThanOrEqual(3);
  });

  it('the chain timeline starts at the chain root and lists every event in time order', () => {
    const timeline = queries.find((q) => q.panel.title === 'Timeline of the chain')!;
    for (const { vars, result } of results.get(timeline.label)!) {
      if (vars.job === '') {
        expect(result.rows).toEqual([]);
        continue;
      }
      const names = result.columns.map((c) => c.name);
      const offsets = result.rows.map((r) => Number(r[names.indexOf('offset_seconds')]));
      expect(offsets[0]).toBe(0);
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
      const traces = new Set(result.rows.map((r) => r[names.indexOf('trace_id')]));
      expect(traces.size, 'one chain, one trace').toBe(1);
      // The Event JSON column is the signed event itself, byte for byte what its author signed.
      for (const row of result.rows) {
        const event = JSON.parse(String(row[names.indexOf('raw_event')]));
        expect(event.id).toBe(row[names.indexOf('event')]);
        expect(verifyEvent(event)).toBe(true);
      }
    }
  });

  it('a user narrows the newest events to their own', () => {
    const recent = queries.find((q) => q.panel.title === 'Newest 200 events')!;
    const runs = results.get(recent.label)!;
    const everyone = runs.find((r) => r.vars.user === '' && r.vars.job === '')!;
    const one = runs.find((r) => r.vars.user !== '' && r.vars.job === '')!;
    const author = one.result.columns.findIndex((c) => c.name === 'author');
    expect(everyone.result.rows.length).toBe(200);
    expect(one.result.rows.length).toBeGreaterThan(0);
    expect(new Set(one.result.rows.map((r) => r[author]))).toEqual(new Set([one.vars.user]));
  });

  it('the overview agrees with the traffic: all requests counted once, the right DVM most popular', async () => {
    const requests = filled.items.filter(
      (i) => i.expect.outcome === 'accepted' && i.expect.role === 'request',
    );
    const card = queries.find((q) => q.dashboard.uid === 'dvm-overview' && q.panel.title === 'DVM requests')!;
    expect(Number(results.get(card.label)![0]!.result.rows[0]![0])).toBe(requests.length);
    const popular = queries.find((q) => q.panel.title === 'Most popular DVM')!;
    const [row] = results.get(popular.label)![0]!.result.rows;
    const [top] = (
      await runReadOnly(
        store,
        "SELECT dvm, uniqExact(request_id) AS n FROM events WHERE role = 'result' GROUP BY dvm ORDER BY n DESC, dvm LIMIT 1",
      )
    ).rows;
    expect(row![0]).toBe(top![0]);
  });
});

describe('ClickHouse template variables', () => {
  const variables = dashboards.flatMap(({ json }) =>
    variablesOf(json)
      .filter((v) => v.datasource?.uid === 'clickhouse')
      .map((v) => [`${json.uid} $${v.name}`, v] as const),
  );

  it.each(variables.filter(([, v]) => v.hide !== 2))(
    '%s lists values (first column) with labels (second)',
    async (_name, variable) => {
      const sql = expandClickHouseSql(variableQueryText(variable), context({}));
      const { columns, rows } = await runReadOnly(store, sql);
      expect(columns).toHaveLength(2);
      expect(rows.length).toBeGreaterThan(3);
      const values = rows.map((r) => String(r[0]));
      expect(new Set(values).size).toBe(values.length);
    },
  );

  it("$trace is the chain's trace id the trace stat shows, one value or none", async () => {
    const [, trace] = variables.find(([name]) => name === 'dvm-job-debug $trace')!;
    const stat = queries.find((q) => q.panel.title === 'Trace of this chain')!;
    const runs = results.get(stat.label)!;
    for (const { vars, result } of runs) {
      const sql = expandClickHouseSql(variableQueryText(trace), context(vars));
      const { rows } = await runReadOnly(store, sql);
      expect(rows.map((r) => r[0])).toEqual(result.rows.map((r) => r[0]));
      if (vars.job === '') expect(rows).toEqual([]);
      else expect(String(rows[0]![0])).toMatch(/^[0-9a-f]{32}$/);
    }
  });
});

describe('the job graph nodes', () => {
  const graph = queries.find((q) => q.panel.type === 'nodeGraph' && q.target.refId === 'nodes')!;
  const named = (result: QueryResult) =>
    result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c.name, row[i]])));

  it('link each node to one page that exists, with its variable set', () => {
    const json = dashboards.map((d) => d.json);
    let checked = 0;
    for (const { result } of results.get(graph.label)!) {
      for (const node of named(result)) {
        const page = String(node.open_page);
        expect(pageProblems(page, json), String(node.id)).toEqual([]);
        // The page fits the node: a DVM opens its DVM page, a customer its events, an event its job.
        const expected =
          node.arc__dvm === 1
            ? ['dvm-detail?var-dvm=', 'Open DVM']
            : node.arc__user === 1
              ? ['dvm-job-debug?var-user=', 'Events by this key']
              : ['dvm-job-debug?var-job=', 'Debug this job'];
        expect(page.startsWith(expected[0]!), page).toBe(true);
        expect(node.open_title).toBe(expected[1]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('show a key that is both a customer and a DVM of the chain as the DVM', async () => {
    // The traffic has no such key, so one is made: a DVM that answered the crowded job signs its request.
    const [dvm] = await column(
      `SELECT pubkey FROM events WHERE role IN ('feedback', 'result') AND request_id = '${crowdedJob}' ORDER BY pubkey LIMIT 1`,
    );
    const sql = expandClickHouseSql(
      graph.target.rawSql ?? '',
      context({ job: crowdedJob, user: '' }),
    ).replace(
      'FROM events FINAL',
      `FROM (SELECT * REPLACE (if(id = '${crowdedJob}', '${dvm}', pubkey) AS pubkey) FROM events FINAL)`,
    );
    const nodes = named(await runReadOnly(store, sql));
    const node = nodes.find((n) => n.id === dvm)!;
    expect(node).toMatchObject({ arc__dvm: 1, arc__user: 0, subtitle: 'DVM', open_title: 'Open DVM' });
    expect(node.title).not.toBe('user');
  });
});

/**
 * Values no one should be able to smuggle out of a string literal: ClickHouse reads a backslash as
 * an escape inside '...', so `\'` ends nothing under `sqlstring` but `\` + doubled quote does.
 */
const HOSTILE = [
  '\\',
  "'",
  '"',
  '\n',
  "\\' OR 1=1 --",
  "x\\'); DROP TABLE events; --",
  '%27',
  grafanaRef('job'),
  '\u2028é',
];

/** Every ClickHouse query of the dashboards, panels and variables, with the variables it reads. */
const allSql = [
  ...queries.map((q) => ({ label: q.label, sql: q.target.rawSql ?? '' })),
  ...dashboards.flatMap(({ json }) =>
    variablesOf(json)
      .filter((v) => v.datasource?.uid === 'clickhouse')
      .map((v) => ({ label: `${json.uid} $${v.name}`, sql: variableQueryText(v) })),
  ),
].map((q) => ({ ...q, vars: [...new Set([...q.sql.matchAll(/\$\{(\w+):/g)].map((m) => m[1]!))] }));

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** ClickHouse's own view of a query's shape: literals replaced by `?`, comments dropped. */
async function shape(sql: string): Promise<string> {
  const [[normal]] = (await runReadOnly(store, `SELECT normalizeQuery(base64Decode('${base64(sql)}'))`))
    .rows as [[string]];
  return normal;
}

describe('variable values in ClickHouse queries', () => {
  const withVars = allSql.filter((q) => q.vars.length > 0);

  it('cover every query that reads a variable', () => {
    expect(withVars.length).toBeGreaterThan(15);
    for (const q of withVars) expect(q.sql, q.label).not.toMatch(/\$\{\w+:sqlstring\}/);
  });

  it.each(withVars.map((q) => [q.label, q] as const))(
    '%s keeps each hostile value one literal',
    async (_label, q) => {
      for (const name of q.vars) {
        const benign = expandClickHouseSql(q.sql, context({ [name]: 'abc' }));
        const benignShape = await shape(benign);
        for (const value of HOSTILE) {
          const sql = expandClickHouseSql(q.sql, context({ [name]: value }));
          expect(await shape(sql), `${name} = ${JSON.stringify(value)}`).toBe(benignShape);
          await expect(runReadOnly(store, sql), `${name} = ${JSON.stringify(value)}`).resolves.toBeDefined();
          // The literal carries the value exactly, back to the byte.
          const encoded = GRAFANA_FORMATS.percentencode!(value);
          const [[same]] = (
            await runReadOnly(
              store,
              `SELECT decodeURLComponent('${encoded}') = base64Decode('${base64(value)}')`,
            )
          ).rows as [[number]];
          expect(same).toBe(1);
        }
      }
    },
  );

  it("would not with Grafana's sqlstring format, which only doubles quotes", async () => {
    const q = allSql.find((x) => x.label.includes('Newest 200 events'))!;
    const asSqlString = q.sql.replace(
      /decodeURLComponent\('\$\{user:percentencode\}'\)/g,
      grafanaRef('user', 'sqlstring'),
    );
    expect(asSqlString).not.toBe(q.sql);
    const benign = await shape(expandClickHouseSql(asSqlString, context({ user: 'abc' })));
    const hostile = expandClickHouseSql(asSqlString, context({ user: "\\' OR 1=1 --" }));
    expect(await shape(hostile)).not.toBe(benign);
  });
});
