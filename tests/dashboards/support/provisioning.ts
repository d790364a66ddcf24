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

/**
 * What Grafana makes of a string value in a provisioning file: `$$` is a literal `$`, the rest goes
 * through Go's os.ExpandEnv (`$NAME`, `${NAME}`; unset names become ''). Grafana's
 * pkg/services/provisioning/values/values.go, interpolateValue (v13.0: split on "$$", ExpandEnv
 * each part, join with "$").
 */
export function grafanaExpand(value: string, env: Readonly<Record<string, string>>): string {
  return value
    .split('$$')
    .map((part) =>
      part.replace(/\$(?:\{([^}]*)\}|([A-Za-z0-9_]+)|([*#$@!?-]))/g, (_m, braced, bare, special) => {
        const name = (braced ?? bare ?? special) as string;
        return env[name] ?? '';
      }),
    )
    .join('$');
}

/** Every string in a provisioned value, expanded as Grafana expands it. */
export function expandAll<T>(value: T, env: Readonly<Record<string, string>>): T {
  if (typeof value === 'string') return grafanaExpand(value, env) as T;
  if (Array.isArray(value)) return value.map((v) => expandAll(v, env)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandAll(v, env)])) as T;
  }
  return value;
}
