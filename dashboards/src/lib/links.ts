import type { DynamicConfigValue } from '@grafana/grafana-foundation-sdk/dashboard';
import { DATASOURCE_UIDS } from './datasources.js';
import { DASHBOARD_UIDS, type DashboardUid } from './uids.js';

/**
 * Data links: how a DVM, kind, job or trace id in any panel becomes one click away. Every link is
 * built here, so the URL shapes (and the tests that check them) live in one place.
 */

/** A field data link as Grafana stores it in fieldConfig (the SDK types only dashboard links). */
export interface DataLink {
  title: string;
  url: string;
  targetBlank?: boolean;
  internal?: {
    datasourceUid: string;
    datasourceName: string;
    query: Record<string, unknown>;
  };
}

/**
 * A Grafana `${...}` reference (a dashboard variable, optionally with a format, or a data-link
 * variable such as `__value.raw`), written so it is never mistaken for a JavaScript placeholder.
 */
export function grafanaRef(name: string, format?: string): string {
  return `$\{${name}${format === undefined ? '' : `:${format}`}}`;
}

/** The cell's own value. */
export const CELL_VALUE = grafanaRef('__value.raw');

/** Another column of the same row. */
export function rowField(column: string): string {
  return grafanaRef(`__data.fields.${column}`);
}

/** A label of the series a time-series point belongs to. */
export function seriesLabel(label: string): string {
  return grafanaRef(`__field.labels.${label}`);
}

/**
 * A dashboard variable as an SQL string expression that holds exactly the variable's value. Grafana's
 * `sqlstring` format only doubles quotes, and ClickHouse reads a backslash as an escape inside a
 * literal, so a typed value such as `\' OR 1=1 --` would end it. `percentencode` leaves only
 * `[A-Za-z0-9_.~%-]` (RFC 3986 unreserved characters and escapes), which no literal can end on;
 * ClickHouse's decodeURLComponent turns it back into the value.
 */
export function sqlString(variable: string): string {
  return `decodeURLComponent('${grafanaRef(variable, 'percentencode')}')`;
}

/** A Grafana URL to a dashboard with variables set, keeping the current time range. */
export function dashboardUrl(uid: DashboardUid, vars: Readonly<Record<string, string>>): string {
  const query = Object.entries(vars).map(([name, value]) => `var-${name}=${value}`);
  query.push(grafanaRef('__url_time_range'));
  return `/d/${uid}?${query.join('&')}`;
}

export function toDvm(pubkey = CELL_VALUE): DataLink {
  return { title: 'Open DVM', url: dashboardUrl(DASHBOARD_UIDS.dvmDetail, { dvm: pubkey }) };
}

export function toKind(kind = CELL_VALUE): DataLink {
  return { title: 'Open kind', url: dashboardUrl(DASHBOARD_UIDS.kindDetail, { kind }) };
}

export function toJob(jobId = CELL_VALUE): DataLink {
  return { title: 'Debug this job', url: dashboardUrl(DASHBOARD_UIDS.jobDebug, { job: jobId }) };
}

/**
 * A link whose target dashboard is a column of the row (`<uid>?var-x=<value>`), titled by another:
 * for rows of different kinds in one frame (the job graph's nodes), each gets the one link that fits.
 * A `/` in the title makes its first part the group heading of Grafana's node-graph context menu.
 */
export function toRowPage(pageColumn: string, titleColumn: string): DataLink {
  return {
    title: `DVM dashboards/${rowField(titleColumn)}`,
    url: `/d/${rowField(pageColumn)}&${grafanaRef('__url_time_range')}`,
  };
}

/**
 * The Jaeger UI's own address as the browser sees it: a hidden textbox variable on every dashboard,
 * so `?var-jaeger_ui=` sets it (a constant variable would ignore the URL).
 */
export const JAEGER_UI_VARIABLE = 'jaeger_ui';

/** The Jaeger UI's page of one trace; works for every visitor, anonymous ones included. */
export function toJaegerUi(traceId = CELL_VALUE): DataLink {
  return {
    title: 'Trace in Jaeger UI',
    url: `${grafanaRef(JAEGER_UI_VARIABLE)}/trace/${traceId}`,
    targetBlank: true,
  };
}

/**
 * A trace id opens in the Jaeger UI, or in Grafana's trace view (Explore on the Jaeger datasource).
 * Grafana hides the Explore link from those who may not use Explore (anonymous viewers); they see
 * the trace on the job debug dashboard instead. The query has no queryType, which is the Jaeger
 * datasource's trace-id lookup (see jaeger.ts).
 */
export function toTrace(traceId = CELL_VALUE): DataLink[] {
  return [
    toJaegerUi(traceId),
    {
      title: 'Trace in Grafana',
      url: '',
      internal: {
        datasourceUid: DATASOURCE_UIDS.jaeger,
        datasourceName: 'Jaeger',
        query: { query: traceId },
      },
    },
  ];
}

/** The override property that attaches links to a field. */
export function linksProperty(links: readonly DataLink[]): DynamicConfigValue {
  return { id: 'links', value: links };
}
