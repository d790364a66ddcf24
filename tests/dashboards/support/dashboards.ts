import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Reads the generated dashboards as Grafana would load them (the JSON under dashboards/json) and
 * lists what Grafana would run: every panel target and every query variable.
 */

export const ROOT = join(import.meta.dirname, '../../..');
export const DASHBOARD_DIR = join(ROOT, 'dashboards/json');

// Loose shapes: the tests read JSON, not SDK types.
export interface Target {
  refId?: string;
  datasource?: { type?: string; uid?: string };
  expr?: string;
  instant?: boolean;
  range?: boolean;
  format?: string | number;
  rawSql?: string;
  queryType?: string;
  editorType?: string;
  exemplar?: boolean;
  hide?: boolean;
}

export interface Panel {
  id?: number;
  type: string;
  title?: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  panels?: Panel[];
  options?: Record<string, unknown> & { content?: string };
  fieldConfig?: {
    defaults?: { links?: DataLink[] } & Record<string, unknown>;
    overrides?: Array<{
      matcher: { id: string; options?: string };
      properties: Array<{ id: string; value?: unknown }>;
    }>;
  };
  transformations?: Array<{ id: string; options?: Record<string, unknown> }>;
  gridPos?: { x: number; y: number; w: number; h: number };
}

export interface DataLink {
  title: string;
  url: string;
  targetBlank?: boolean;
  internal?: { datasourceUid: string; datasourceName?: string; query: Record<string, unknown> };
}

export interface Variable {
  name: string;
  type: string;
  datasource?: { type?: string; uid?: string };
  query?: string | { rawSql?: string; query?: string };
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string;
  /** 0 shown, 1 label hidden, 2 hidden. */
  hide?: number;
  skipUrlSync?: boolean;
  label?: string;
}

export interface Dashboard {
  uid: string;
  title: string;
  panels?: Panel[];
  templating?: { list?: Variable[] };
  links?: Array<{ type: string; url?: string; tags?: string[] }>;
}

export interface LoadedDashboard {
  /** Relative to the repository root. */
  path: string;
  folder: string;
  json: Dashboard;
}

export function loadDashboards(dir = DASHBOARD_DIR): LoadedDashboard[] {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .sort();
  return files.map((file) => ({
    path: relative(ROOT, join(dir, file)),
    folder: file.split('/')[0]!,
    json: JSON.parse(readFileSync(join(dir, file), 'utf8')) as Dashboard,
  }));
}

/** Every panel, rows flattened (a collapsed row keeps its panels inside it). */
export function panelsOf(dashboard: Dashboard): Panel[] {
  const out: Panel[] = [];
  const visit = (panels: Panel[] | undefined) => {
    for (const p of panels ?? []) {
      out.push(p);
      visit(p.panels);
    }
  };
  visit(dashboard.panels);
  return out;
}

export interface PanelQuery {
  dashboard: Dashboard;
  panel: Panel;
  target: Target;
  /** `uid/panel title/refId`, for test names and messages. */
  label: string;
}

export function panelQueries(dashboards: readonly LoadedDashboard[]): PanelQuery[] {
  return dashboards.flatMap(({ json }) =>
    panelsOf(json).flatMap((panel) =>
      (panel.targets ?? [])
        .filter((t) => t.hide !== true)
        .map((target) => ({
          dashboard: json,
          panel,
          target,
          label: `${json.uid} / ${panel.title} / ${target.refId}`,
        })),
    ),
  );
}

export const isPromQuery = (q: PanelQuery) =>
  (q.target.datasource?.type ?? q.panel.datasource?.type) === 'prometheus';
export const isClickHouseQuery = (q: PanelQuery) =>
  (q.target.datasource?.type ?? q.panel.datasource?.type) === 'grafana-clickhouse-datasource';

export function variablesOf(dashboard: Dashboard): Variable[] {
  return dashboard.templating?.list ?? [];
}

/** The text of a query variable's query, whatever shape the datasource stores it in. */
export function variableQueryText(variable: Variable): string {
  const q = variable.query;
  if (q === undefined) return '';
  if (typeof q === 'string') return q;
  return q.rawSql ?? q.query ?? '';
}
