import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './dashboards.js';

/** The Grafana provisioning files as Grafana reads them. */

export interface ProvisionedDatasource {
  name: string;
  uid: string;
  type: string;
  url?: string;
  access?: string;
  isDefault?: boolean;
  jsonData?: Record<string, unknown>;
  secureJsonData?: Record<string, string>;
}

export interface DatasourcesFile {
  apiVersion: number;
  prune?: boolean;
  datasources: ProvisionedDatasource[];
}

export const DATASOURCES_FILE = 'provisioning/grafana/datasources/datasources.yaml';
export const DASHBOARD_PROVIDER_FILE = 'provisioning/grafana/dashboards/dvm-exporter.yaml';

export function readYaml<T>(relativePath: string): T {
  return parse(readFileSync(join(ROOT, relativePath), 'utf8')) as T;
}

export function provisionedDatasources(): ProvisionedDatasource[] {
  return readYaml<DatasourcesFile>(DATASOURCES_FILE).datasources;
}
