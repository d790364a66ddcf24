import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { sqlTable } from '../lib/clickhouse.js';
import { dashboard } from '../lib/dashboard.js';
import { eventsTable } from '../lib/events-table.js';
import { section } from '../lib/layout.js';
import { CELL_VALUE, grafanaRef, sqlString, toJob, toKind, toRowPage, toTrace } from '../lib/links.js';
import { nodeGraph } from '../lib/node-graph.js';
import { markdown, stat, table, traces, UNITS } from '../lib/panels.js';
import { dvmName, EVENT_JOB, kindName, RAW_EVENT_JSON, shortKey } from '../lib/sql.js';
import { DASHBOARD_UIDS } from '../lib/uids.js';
import { jobVariable, TRACE_VARIABLE, traceVariable, userVariable } from '../lib/variables.js';

/**
 * DVMDash's debug pages. With `$job` set (any event id of the job: request, feedback or result):
 * the whole chain as a Node Graph (users, DVMs, requests, feedback, results, invoices), every event
 * in time order, and the chain's trace. Without it: the newest events (of `$user` when set), each
 * one click from its job.
 */

/**
 * The chain around `$job`: the request it names (a response's `e` tag, a cancellation's first target,
 * or itself), that job's root in the chain, and every job under that root. Placeholder jobs (responses to an unseen request)
 * are found too: an id that matches no event is taken as a job id.
 */
const CHAIN = `
    coalesce(nullIf((SELECT any(${EVENT_JOB}) FROM events WHERE id = ${sqlString('job')}), ''), ${sqlString('job')}) AS picked_job,
    coalesce(nullIf((SELECT any(root_id) FROM job_roots WHERE job_id = picked_job), ''), picked_job) AS chain_root,
    arrayConcat([chain_root], (SELECT groupArray(job_id) FROM job_roots WHERE root_id = chain_root)) AS chain_ids,
    chain_events AS
    (
        SELECT * FROM events FINAL
        WHERE chain_root != '' AND (
               (role = 'request' AND has(chain_ids, id))
            OR (role IN ('feedback', 'result') AND has(chain_ids, request_id))
            OR (role = 'cancellation' AND hasAny(target_ids, chain_ids)))
    ),
    (SELECT min(created_at) FROM chain_events) AS chain_start`;

/**
 * The job of an event of the chain: a cancellation's is its target in this chain (it may name jobs of
 * other chains first), never '', so its node and row link to a job.
 */
const CHAIN_EVENT_JOB = `multiIf(role = 'request', id, role = 'cancellation', arrayFirst(t -> has(chain_ids, t), target_ids), request_id)`;

/** The chain's trace id: the first 32 hex characters of its root request id; '' for a non-id root. */
const CHAIN_TRACE_ID = `if(match(chain_root, '^[0-9a-f]{64}$'), substring(chain_root, 1, 32), '')`;

const hasInvoice = `role = 'feedback' AND (bolt11 != '' OR amount_msat IS NOT NULL)`;

/**
 * What a node is, by the highest rank among its rows: a key that is both a customer and a DVM shows
 * as the DVM (title, ring and link alike), so exactly one `arc__*` is 1 on every node.
 */
const RANK = { user: 1, dvm: 2, event: 3 } as const;

/**
 * The node's own page (`<uid>?var-x=<value>`, a column of the nodes frame) and its title: one link
 * per node, to the DVM, the key's events or the job, never a link with an empty variable.
 */
const NODE_PAGE = 'open_page';
const NODE_PAGE_TITLE = 'open_title';

/** One row per node. */
const nodesSql = `
    WITH ${CHAIN}
    SELECT
        id,
        argMax(title, rank) AS title,
        argMax(subtitle, rank) AS subtitle,
        argMax(mainstat, rank) AS mainstat,
        toFloat64(max(rank) = ${RANK.user}) AS arc__user,
        toFloat64(max(rank) = ${RANK.dvm}) AS arc__dvm,
        max(arc__request) AS arc__request,
        max(arc__feedback) AS arc__feedback,
        max(arc__result) AS arc__result,
        max(arc__invoice) AS arc__invoice,
        max(arc__cancellation) AS arc__cancellation,
        argMax(detail__job, rank) AS detail__job,
        argMax(detail__dvm, rank) AS detail__dvm,
        multiIf(max(rank) = ${RANK.dvm}, concat('${DASHBOARD_UIDS.dvmDetail}?var-dvm=', encodeURLComponent(id)),
                max(rank) = ${RANK.user}, concat('${DASHBOARD_UIDS.jobDebug}?var-user=', encodeURLComponent(id)),
                concat('${DASHBOARD_UIDS.jobDebug}?var-job=', encodeURLComponent(detail__job))) AS ${NODE_PAGE},
        multiIf(max(rank) = ${RANK.dvm}, 'Open DVM', max(rank) = ${RANK.user}, 'Events by this key', 'Debug this job') AS ${NODE_PAGE_TITLE}
    FROM
    (
        SELECT
            id,
            multiIf(role = 'request', concat('request ', toString(kind)),
                    role = 'result', concat('result ', toString(kind)),
                    role = 'feedback', concat('feedback: ', toString(status)),
                    toString(role)) AS title,
            if(encrypted = 1, 'encrypted', ${shortKey('id')}) AS subtitle,
            concat('+', toString(toInt64(created_at) - toInt64(chain_start)), ' s') AS mainstat,
            toFloat64(0) AS arc__user, toFloat64(0) AS arc__dvm,
            toFloat64(role = 'request') AS arc__request, toFloat64(role = 'feedback') AS arc__feedback,
            toFloat64(role = 'result') AS arc__result, toFloat64(0) AS arc__invoice,
            toFloat64(role = 'cancellation') AS arc__cancellation,
            ${CHAIN_EVENT_JOB} AS detail__job,
            if(role IN ('feedback', 'result'), pubkey, '') AS detail__dvm,
            toUInt8(${RANK.event}) AS rank
        FROM chain_events
        UNION ALL
        SELECT job, 'request (not seen)', ${shortKey('job')}, '',
               0, 0, 1, 0, 0, 0, 0, job, '', toUInt8(${RANK.event})
        FROM (SELECT arrayJoin(chain_ids) AS job)
        WHERE chain_root != '' AND job NOT IN (SELECT id FROM chain_events WHERE role = 'request')
        UNION ALL
        SELECT pubkey, 'user', ${shortKey('pubkey')}, '', 1, 0, 0, 0, 0, 0, 0, if(role = 'request', id, picked_job), '', toUInt8(${RANK.user})
        FROM chain_events
        WHERE role IN ('request', 'cancellation')
        UNION ALL
        SELECT e.pubkey, ${dvmName('e.pubkey', 'p.name')}, 'DVM', '', 0, 1, 0, 0, 0, 0, 0, e.request_id, e.pubkey, toUInt8(${RANK.dvm})
        FROM chain_events AS e
        LEFT JOIN dvm_profiles AS p ON p.dvm = e.pubkey
        WHERE e.role IN ('feedback', 'result')
        UNION ALL
        SELECT concat('invoice:', id), 'invoice',
               concat(toString(intDiv(coalesce(invoice_msat, amount_msat, 0), 1000)), ' sats'), '',
               0, 0, 0, 0, 0, 1, 0, request_id, pubkey, toUInt8(${RANK.event})
        FROM chain_events
        WHERE ${hasInvoice}
    )
    GROUP BY id
    ORDER BY id`;

/** One row per edge; every endpoint is a node of nodesSql. */
const edgesSql = `
    WITH ${CHAIN}
    SELECT DISTINCT concat(source, '>', target) AS id, source, target, mainstat
    FROM
    (
        SELECT pubkey AS source, id AS target, 'made' AS mainstat FROM chain_events
        UNION ALL
        SELECT id, request_id, if(role = 'result', 'result for', 'feedback for') FROM chain_events
        WHERE role IN ('feedback', 'result')
        UNION ALL
        SELECT id, concat('invoice:', id), 'asks payment' FROM chain_events WHERE ${hasInvoice}
        UNION ALL
        SELECT id, target, 'cancels' FROM chain_events ARRAY JOIN target_ids AS target
        WHERE role = 'cancellation' AND has(chain_ids, target)
        UNION ALL
        -- A root past the depth cap has its parent outside the chain, so no node for it.
        SELECT parent_id, job_id, 'input to' FROM job_chain_parents
        WHERE has(chain_ids, job_id) AND has(chain_ids, parent_id)
    )
    ORDER BY id`;

const PICK_A_JOB = 'No job chosen: paste a request, feedback or result id into Job, or click an event below.';

const graph = nodeGraph({
  title: 'Job chain',
  description:
    'Users and DVMs, the requests of the chain (placeholders for requests never seen), feedback, results and ' +
    'invoices. Edges: who made what, what answers what, and which job feeds the next. Main stat: seconds ' +
    'after the first event of the chain.',
  height: 16,
  targets: [sqlTable(nodesSql, 'nodes'), sqlTable(edgesSql, 'edges')],
  arcs: [
    { field: 'arc__dvm', color: 'orange' },
    { field: 'arc__user', color: 'purple' },
    { field: 'arc__request', color: 'blue' },
    { field: 'arc__feedback', color: 'yellow' },
    { field: 'arc__result', color: 'green' },
    { field: 'arc__invoice', color: 'red' },
    { field: 'arc__cancellation', color: 'text' },
  ],
  nodeLinks: { field: NODE_PAGE, links: [toRowPage(NODE_PAGE, NODE_PAGE_TITLE)] },
});

/** The chain's trace id: the first 32 hex characters of its root request id (none for a non-hex root). */
const TRACE_ID_SQL = `
    WITH ${CHAIN}
    SELECT ${CHAIN_TRACE_ID} AS trace_id, trace_id AS label
    WHERE trace_id != ''`;

const trace = stat({
  title: 'Trace of this chain',
  description: "One trace per chain; its id is the first 32 hex characters of the chain's root request id.",
  unit: UNITS.text,
  width: 8,
  height: 6,
  textField: 'trace_id',
  noValue: 'No job chosen',
  links: toTrace(CELL_VALUE),
  targets: [sqlTable(TRACE_ID_SQL)],
});

/** The trace itself, through the Jaeger datasource: no Explore needed, so anonymous viewers see it. */
const traceView = traces({
  title: 'Trace',
  description:
    'The spans of this chain as the exporter traced them (Jaeger). The Jaeger UI opens from the trace id above.',
  height: 14,
  traceId: grafanaRef(TRACE_VARIABLE),
});

const jobsOfChain = table({
  title: 'Jobs in this chain',
  width: 16,
  height: 6,
  noValue: PICK_A_JOB,
  targets: [
    sqlTable(`
      WITH ${CHAIN}
      SELECT j.job_id AS job, j.kind AS kind, ${kindName('j.kind')} AS kind_name, j.customer AS customer,
             j.requested_at AS requested_at, j.outcome AS outcome, j.dvms AS dvms, j.results AS results,
             coalesce(j.parent_id, '') AS parent, j.trace_id AS trace_id
      FROM jobs AS j
      WHERE chain_root != '' AND has(chain_ids, j.job_id)
      ORDER BY requested_at, job`),
  ],
  columns: [
    { field: 'job', header: 'Job', links: [toJob(CELL_VALUE)] },
    { field: 'kind', header: 'Kind', width: 70, links: [toKind(CELL_VALUE)] },
    { field: 'kind_name', header: 'Name', width: 140 },
    { field: 'customer', header: 'Customer', width: 110 },
    { field: 'requested_at', header: 'Requested', unit: UNITS.timestamp, width: 170 },
    { field: 'outcome', header: 'Outcome', width: 90 },
    { field: 'dvms', header: 'DVMs', unit: UNITS.count, width: 60 },
    { field: 'results', header: 'Results', unit: UNITS.count, width: 70 },
    { field: 'parent', header: 'Builds on', width: 110, links: [toJob(CELL_VALUE)] },
    { field: 'trace_id', header: 'Trace', width: 110, links: toTrace(CELL_VALUE) },
  ],
});

const timeline = eventsTable({
  title: 'Timeline of the chain',
  description: 'Every event of the chain in created_at order; +s counts from the first one.',
  with: CHAIN,
  from: 'SELECT * FROM chain_events',
  job: CHAIN_EVENT_JOB,
  order: 'oldest first',
  limit: 1000,
  height: 12,
  noValue: PICK_A_JOB,
  extra: [
    {
      sql: 'toInt64(created_at) - toInt64(chain_start) AS offset_seconds',
      column: { field: 'offset_seconds', header: '+s', unit: UNITS.seconds, width: 70 },
    },
    { sql: 'toString(status) AS status', column: { field: 'status', header: 'Status', width: 120 } },
    {
      sql: `${RAW_EVENT_JSON} AS raw_event`,
      column: { field: 'raw_event', header: 'Event JSON', width: 120, cell: 'json-view' },
    },
  ],
});

const recent = eventsTable({
  title: 'Newest 200 events',
  description:
    'In the selected time range; only those by User when it is set. Click an event to debug its job.',
  from: `
        SELECT * FROM events FINAL
        WHERE $__timeFilter(created_at) AND $__conditionalAll(pubkey = ${sqlString('user')}, $user)
        ORDER BY created_at DESC
        LIMIT 200`,
  order: 'newest first',
  limit: 200,
  height: 14,
  extra: [{ sql: 'toString(status) AS status', column: { field: 'status', header: 'Status', width: 120 } }],
});

export function jobDebug(): DashboardBuilder {
  const d = dashboard({
    uid: DASHBOARD_UIDS.jobDebug,
    title: 'DVM job debug',
    description: 'One job chain as a graph and a timeline, with its trace; or the newest events.',
  })
    .withVariable(jobVariable())
    .withVariable(userVariable())
    .withVariable(traceVariable(TRACE_ID_SQL));
  d.withPanel(
    markdown(
      'How to use',
      'Set **Job** to any event id of a job (request, feedback or result), or click an event, job or trace link ' +
        'on any DVM dashboard. **User** narrows the newest events to one key.',
      24,
      2,
    ),
  );
  section(d, 'Chain', [trace, jobsOfChain, graph, traceView, timeline]);
  section(d, 'Newest events', [recent]);
  return d;
}
