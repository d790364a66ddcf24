/** Fixed dashboard uids: URLs stay stable and provisioning upserts by uid. */
export const DASHBOARD_UIDS = {
  overview: 'dvm-overview',
  recentRequests: 'dvm-recent-requests',
  dvms: 'dvm-dvms',
  dvmDetail: 'dvm-detail',
  kinds: 'dvm-kinds',
  kindDetail: 'dvm-kind-detail',
  jobDebug: 'dvm-job-debug',
  exporterHealth: 'dvm-exporter-health',
} as const;

export type DashboardUid = (typeof DASHBOARD_UIDS)[keyof typeof DASHBOARD_UIDS];

/** Every dashboard carries this tag; the navigation dropdown lists dashboards by it. */
export const DASHBOARD_TAG = 'dvm-exporter';
