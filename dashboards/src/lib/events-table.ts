import { sqlTable } from './clickhouse.js';
import { CELL_VALUE, dashboardUrl, rowField, toDvm, toJob, toKind, toTrace } from './links.js';
import { type Column, table, UNITS } from './panels.js';
import { dvmName, EVENT_JOB, EVENT_SUMMARY, kindName } from './sql.js';
import { DASHBOARD_UIDS } from './uids.js';

/**
 * The event list every page shows in some form (recent requests, a DVM's or a kind's latest events,
 * a job's timeline): one row per event with its author, a one-line summary, and links to the job,
 * its trace, the DVM and the kind.
 */

export interface EventsTableOptions {
  title: string;
  description: string;
  /** A subquery or table yielding `events` rows, already filtered; aliased `e`. */
  from: string;
  /** Extra WITH clauses (without the WITH keyword) the `from` part needs. */
  with?: string;
  order: 'newest first' | 'oldest first';
  limit: number;
  height?: number;
  width?: number;
  noValue?: string;
  /**
   * Extra columns and how to show them: `sql` (`expr AS name`) computes one from the event's own
   * columns; without it the column is taken as `from` yields it.
   */
  extra?: ReadonlyArray<{ sql?: string; column: Column }>;
  /** The job of an event, over its own columns and the `with` names; EVENT_JOB unless given. */
  job?: string;
}

const authorLinks = [
  toDvm(rowField('author')),
  { title: 'Events by this key', url: dashboardUrl(DASHBOARD_UIDS.jobDebug, { user: rowField('author') }) },
];

const BASE_COLUMNS: Column[] = [
  { field: 'time', header: 'Created', unit: UNITS.timestamp, width: 170 },
  { field: 'role', header: 'Role', width: 100 },
  { field: 'kind', header: 'Kind', width: 70, links: [toKind(rowField('job_kind'))] },
  { field: 'job_kind', hidden: true },
  { field: 'kind_name', header: 'Job kind', width: 150, links: [toKind(rowField('job_kind'))] },
  { field: 'author_name', header: 'Author', width: 150, links: authorLinks },
  { field: 'author', hidden: true },
  { field: 'summary', header: 'Summary' },
  { field: 'event', header: 'Event', width: 110, links: [toJob(rowField('job'))] },
  { field: 'job', header: 'Job', width: 110, links: [toJob(CELL_VALUE)] },
  { field: 'trace_id', header: 'Trace', width: 110, links: toTrace(CELL_VALUE) },
];

export function eventsTable(o: EventsTableOptions): ReturnType<typeof table> {
  const extra = o.extra ?? [];
  const names = extra.map((x) => x.column.field);
  const inner = extra.flatMap((x) => (x.sql === undefined ? [] : [`, ${x.sql}`])).join('');
  const middle = names.map((n) => `, e.${n} AS ${n}`).join('');
  const outer = names.map((n) => `, ${n}`).join('');
  const direction = o.order === 'newest first' ? 'DESC' : 'ASC';
  // Per-event columns are computed before the joins, so no unqualified name can be ambiguous.
  const rawSql = `
    WITH ${o.with === undefined ? '' : `${o.with},\n    `}picked AS (${o.from})
    SELECT time, role, kind, job_kind, if(job_kind = 0, '', ${kindName('job_kind')}) AS kind_name,
           author, author_name, summary, event, job, trace_id${outer}
    FROM
    (
        SELECT
            e.created_at AS time,
            toString(e.role) AS role,
            e.kind AS kind,
            if(e.job_kind = 0, q.kind, e.job_kind) AS job_kind,
            e.pubkey AS author,
            ${dvmName('e.pubkey', 'p.name')} AS author_name,
            e.summary AS summary,
            e.id AS event,
            e.job AS job,
            if(e.job = '', '', substring(if(r.root_id = '', e.job, r.root_id), 1, 32)) AS trace_id${middle}
        FROM
        (
            SELECT *,
                ${EVENT_SUMMARY.replace(/\n/g, '\n                ')} AS summary,
                ${o.job ?? EVENT_JOB} AS job${inner}
            FROM picked
        ) AS e
        LEFT JOIN dvm_profiles AS p ON p.dvm = e.pubkey
        LEFT JOIN job_requests AS q ON q.job_id = e.request_id
        LEFT JOIN job_roots AS r ON r.job_id = e.job
    )
    ORDER BY time ${direction}, event
    LIMIT ${o.limit}`;
  return table({
    title: o.title,
    description: o.description,
    width: o.width ?? 24,
    height: o.height ?? 12,
    noValue: o.noValue,
    targets: [sqlTable(rawSql)],
    columns: [...BASE_COLUMNS, ...extra.map((x) => x.column)],
  });
}
