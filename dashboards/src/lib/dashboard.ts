import {
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DASHBOARD_TAG, type DashboardUid } from './uids.js';
import { jaegerUiVariable } from './variables.js';

export interface DashboardMeta {
  uid: DashboardUid;
  title: string;
  description: string;
  /** Default time range, e.g. `now-24h`. */
  from?: string;
}

/**
 * A dashboard with the settings every page shares: fixed uid, the common tag, a dropdown to every
 * other DVM dashboard (keeping the time range), shared crosshair, 1-minute refresh, and the
 * Jaeger UI address that trace links use.
 */
export function dashboard(meta: DashboardMeta): DashboardBuilder {
  return new DashboardBuilder(meta.title)
    .uid(meta.uid)
    .description(meta.description)
    .tags([DASHBOARD_TAG])
    .time({ from: meta.from ?? 'now-24h', to: 'now' })
    .refresh('1m')
    .timezone('browser')
    .tooltip(DashboardCursorSync.Crosshair)
    .editable()
    .link(
      new DashboardLinkBuilder('DVM dashboards')
        .type(DashboardLinkType.Dashboards)
        .tags([DASHBOARD_TAG])
        .asDropdown(true)
        .keepTime(true)
        .includeVars(false),
    )
    .withVariable(jaegerUiVariable());
}
