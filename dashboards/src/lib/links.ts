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

/** A dashboard variable quoted and escaped as an SQL string literal (Grafana's `sqlstring` format). */
export function sqlString(variable: string): string {
  return grafanaRef(variable, 'sqlstring');
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

/** The Jaeger UI's own address as the browser sees it; a hidden constant variable on every dashboard. */
export const JAEGER_UI_VARIABLE = 'jaeger_ui';

/** A trace id opens in Grafana's trace view (Explore on the Jaeger datasource) or in the Jaeger UI. */
export function toTrace(traceId = CELL_VALUE): DataLink[] {
  return [
    {
      title: 'Trace in Grafana',
      url: '',
      internal: {
        datasourceUid: DATASOURCE_UIDS.jaeger,
        datasourceName: 'Jaeger',
        query: { query: traceId },
      },
    },
    { title: 'Trace in Jaeger UI', url: `\${${JAEGER_UI_VARIABLE}}/trace/${traceId}`, targetBlank: true },
  ];
}

/** The override property that attaches links to a field. */
export function linksProperty(links: readonly DataLink[]): DynamicConfigValue {
  return { id: 'links', value: links };
}
