import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { dvmDetail } from './boards/dvm-detail.js';
import { dvms } from './boards/dvms.js';
import { exporterHealth } from './boards/exporter-health.js';
import { jobDebug } from './boards/job-debug.js';
import { kindDetail } from './boards/kind-detail.js';
import { kinds } from './boards/kinds.js';
import { overview } from './boards/overview.js';
import { recentRequests } from './boards/recent-requests.js';

/** Every generated dashboard and the Grafana folder (directory under dashboards/json) it goes in. */
export interface CatalogEntry {
  folder: string;
  build: () => DashboardBuilder;
}

/** The folder of the DVM pages; the home dashboard path in docker-compose.yml points into it. */
export const DVM_FOLDER = 'DVMs';
export const EXPORTER_FOLDER = 'Exporter';

export const CATALOG: readonly CatalogEntry[] = [
  { folder: DVM_FOLDER, build: overview },
  { folder: DVM_FOLDER, build: recentRequests },
  { folder: DVM_FOLDER, build: dvms },
  { folder: DVM_FOLDER, build: dvmDetail },
  { folder: DVM_FOLDER, build: kinds },
  { folder: DVM_FOLDER, build: kindDetail },
  { folder: DVM_FOLDER, build: jobDebug },
  { folder: EXPORTER_FOLDER, build: exporterHealth },
];
