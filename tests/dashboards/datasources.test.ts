import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_JAEGER_UI } from '../../dashboards/src/lib/variables.js';
import { readCompose, withDefaults } from '../compose/support/compose.js';
import { loadDashboards, panelsOf, ROOT, variablesOf } from './support/dashboards.js';
import {
  DASHBOARD_PROVIDER_FILE,
  DATASOURCES_FILE,
  type DatasourcesFile,
  expandAll,
  provisionedDatasources,
  readYaml,
} from './support/provisioning.js';

const datasources = provisionedDatasources();
const byUid = new Map(datasources.map((d) => [d.uid, d]));
/** The grafana service's environment in docker-compose.yml, defaults filled in. */
const grafanaEnv = Object.fromEntries(
  Object.entries(readCompose().services.grafana!.environment ?? {}).map(([k, v]) => [
    k,
    withDefaults(String(v)),
  ]),
);
/** The datasources as Grafana provisions them: environment variables expanded. */
const expanded = new Map(expandAll(datasources, grafanaEnv).map((d) => [d.uid, d]));
const dashboards = loadDashboards();

/** Every datasource reference a dashboard makes: panels, their targets, and query variables. */
function references() {
  return dashboards.flatMap(({ json }) => [
    ...panelsOf(json).flatMap((panel) => [
      ...(panel.datasource ? [{ where: `${json.uid} / ${panel.title}`, ref: panel.datasource }] : []),
      ...(panel.targets ?? []).flatMap((t) =>
        t.datasource ? [{ where: `${json.uid} / ${panel.title} / ${t.refId}`, ref: t.datasource }] : [],
      ),
    ]),
    ...variablesOf(json).flatMap((v) =>
      v.datasource ? [{ where: `${json.uid} / $${v.name}`, ref: v.datasource }] : [],
    ),
  ]);
}

describe('Grafana datasource provisioning', () => {
  it('gives every datasource a fixed uid and prunes the rest', () => {
    const file = readYaml<DatasourcesFile>(DATASOURCES_FILE);
    expect(file.apiVersion).toBe(1);
    expect(file.prune).toBe(true);
    expect([...byUid.keys()].sort()).toEqual(['clickhouse', 'jaeger', 'prometheus']);
    for (const d of datasources) expect(d.name, d.uid).toBeTruthy();
  });

  it('resolves every datasource a dashboard uses, with the matching type', () => {
    const refs = references();
    expect(refs.length).toBeGreaterThan(50);
    for (const { where, ref } of refs) {
      if (ref.uid === '-- Mixed --') continue;
      const provisioned = byUid.get(ref.uid ?? '');
      expect(provisioned, `${where}: datasource uid "${ref.uid}" is not provisioned`).toBeDefined();
      expect(provisioned!.type, where).toBe(ref.type);
    }
  });

  it('names on every panel the datasource its queries use', () => {
    for (const { json } of dashboards) {
      for (const panel of panelsOf(json)) {
        const uids = new Set((panel.targets ?? []).map((t) => t.datasource?.uid));
        if (uids.size === 0) continue;
        const expected = uids.size === 1 ? [...uids][0] : '-- Mixed --';
        expect(panel.datasource?.uid, `${json.uid} / ${panel.title}`).toBe(expected);
      }
    }
  });

  it('sends Prometheus exemplars (label traceId) to the Jaeger datasource and to the Jaeger UI', () => {
    const prometheus = expanded.get('prometheus')!;
    expect(prometheus.jsonData).toMatchObject({
      timeInterval: expect.stringMatching(/^\d+s$/),
      httpMethod: 'POST',
      manageAlerts: true,
    });
    // Grafana's Prometheus datasource (packages/grafana-prometheus/src/result_transformer.ts,
    // getDataLinks) gives the exemplar field one link per destination whose `name` is the field: a
    // `datasourceUid` one becomes an internal link (Explore, with a Tempo-style `traceql` query type,
    // which anonymous Viewers cannot open), a `url` one a plain link that everyone can follow.
    const destinations = prometheus.jsonData!.exemplarTraceIdDestinations as Array<Record<string, string>>;
    for (const d of destinations) {
      expect(d.name).toBe('traceId');
      expect(d.datasourceUid === undefined, JSON.stringify(d)).not.toBe(d.url === undefined);
    }
    expect(destinations.filter((d) => d.datasourceUid !== undefined).map((d) => d.datasourceUid)).toEqual([
      'jaeger',
    ]);
    expect(destinations.filter((d) => d.url !== undefined).map((d) => d.url)).toEqual([
      `${DEFAULT_JAEGER_UI}/trace/\${__value.raw}`,
    ]);
  });

  it('links Jaeger spans to their DVM and kind metrics', () => {
    const jaeger = expanded.get('jaeger')!;
    const t2m = jaeger.jsonData?.tracesToMetrics as {
      datasourceUid: string;
      tags: { key: string; value: string }[];
      queries: { query: string }[];
    };
    expect(byUid.has(t2m.datasourceUid)).toBe(true);
    expect(t2m.tags.map((t) => t.value).sort()).toEqual(['dvm', 'kind']);
    for (const q of t2m.queries) expect(q.query).toContain('{$__tags}');
  });

  it('reads ClickHouse as the read-only user, with the password from the environment', () => {
    const clickhouse = byUid.get('clickhouse')!;
    expect(clickhouse.type).toBe('grafana-clickhouse-datasource');
    expect(clickhouse.jsonData).toMatchObject({
      host: 'clickhouse',
      port: 9000,
      protocol: 'native',
      username: 'grafana',
      defaultDatabase: 'dvm',
    });
    const password = clickhouse.secureJsonData?.password ?? '';
    expect(password).toMatch(/^\$\{?\w+\}?$/);
    const users = readFileSync(join(ROOT, 'provisioning/clickhouse/users.d/dvm-users.xml'), 'utf8');
    expect(users).toMatch(/<grafana>[\s\S]*<profile>dvm_reader<\/profile>[\s\S]*<\/grafana>/);
    // The compose file hands Grafana the variable the datasource reads.
    const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
      services: Record<string, { environment?: Record<string, string> }>;
    };
    const variable = password.replace(/[${}]/g, '');
    expect(Object.keys(compose.services.grafana!.environment ?? {})).toContain(variable);
    expect(Object.keys(compose.services.clickhouse!.environment ?? {})).toContain(variable);
  });

  it('loads the dashboards from files, one Grafana folder per directory', () => {
    const { providers } = readYaml<{ apiVersion: number; providers: Array<Record<string, unknown>> }>(
      DASHBOARD_PROVIDER_FILE,
    );
    expect(providers).toHaveLength(1);
    const provider = providers[0]!;
    expect(provider).toMatchObject({
      name: expect.any(String),
      orgId: 1,
      type: 'file',
      disableDeletion: true,
      allowUiUpdates: false,
      options: { path: '/var/lib/grafana/dashboards', foldersFromFilesStructure: true },
    });
    // With foldersFromFilesStructure, folder and folderUid must stay empty.
    expect(provider.folder ?? '').toBe('');
    expect(provider.folderUid ?? '').toBe('');
  });
});
