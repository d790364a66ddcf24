import type { Dashboard, DataSourceRef, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';
import { CATALOG } from './catalog.js';

/** Where the generated JSON lives, relative to the repository root; Grafana mounts this directory. */
export const OUTPUT_DIR = 'dashboards/json';

export interface RenderedDashboard {
  /** Path relative to the repository root: `dashboards/json/<folder>/<uid>.json`. */
  path: string;
  uid: string;
  json: string;
}

/**
 * Builds every dashboard and serialises it. Pure and deterministic: the same sources always give the
 * same bytes, which is what the staleness check compares.
 */
export function renderAll(): RenderedDashboard[] {
  return CATALOG.map(({ folder, build }) => {
    const dashboard = build().build();
    numberPanels(dashboard);
    setPanelDatasources(dashboard);
    placeLinksInControls(dashboard);
    const uid = dashboard.uid;
    if (uid === undefined) throw new Error(`dashboard "${dashboard.title}" has no uid`);
    return {
      path: `${OUTPUT_DIR}/${folder}/${uid}.json`,
      uid,
      json: `${JSON.stringify(dashboard, null, 2)}\n`,
    };
  });
}

/** Grafana's pseudo-datasource for panels whose queries go to different datasources. */
export const MIXED_DATASOURCE: DataSourceRef = { type: 'datasource', uid: '-- Mixed --' };

/**
 * A panel runs its queries on the panel's datasource unless that is "Mixed", so each panel names the
 * datasource its targets use (or Mixed when they differ): queries never reach the wrong engine.
 */
function setPanelDatasources(dashboard: Dashboard): void {
  for (const panel of dashboard.panels ?? []) {
    const targets = ((panel as Panel).targets ?? []) as Array<{ datasource?: DataSourceRef }>;
    const refs = new Map(
      targets.flatMap((t) => (t.datasource ? [[t.datasource.uid, t.datasource] as const] : [])),
    );
    if (refs.size === 1) (panel as Panel).datasource = [...refs.values()][0];
    else if (refs.size > 1) (panel as Panel).datasource = MIXED_DATASOURCE;
  }
}

/**
 * Grafana's controls row renders only links without a `placement` (dashboard-scene
 * DashboardLinksControls: `links.filter((link) => link.placement === undefined)`); `inControlsMenu`
 * ones go behind the controls-menu button at best. The SDK sets `inControlsMenu` on every link, so
 * it goes: the navigation dropdown stays in sight.
 */
function placeLinksInControls(dashboard: Dashboard): void {
  for (const link of dashboard.links ?? []) delete link.placement;
}

/** Stable panel ids (1, 2, ...) in layout order, so `viewPanel=` links survive regeneration. */
function numberPanels(dashboard: Dashboard): void {
  let next = 1;
  const visit = (panels: ReadonlyArray<Panel | RowPanel>): void => {
    for (const panel of panels) {
      panel.id = next++;
      if (panel.type === 'row') visit((panel as RowPanel).panels ?? []);
    }
  };
  visit(dashboard.panels ?? []);
}
