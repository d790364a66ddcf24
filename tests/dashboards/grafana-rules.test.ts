import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { grafanaRef } from '../../dashboards/src/lib/links.js';
import {
  isClickHouseQuery,
  loadDashboards,
  panelQueries,
  panelsOf,
  ROOT,
  variablesOf,
} from './support/dashboards.js';

/**
 * What Grafana does with the dashboard JSON, stated from the upstream source of the versions
 * docker-compose.yml pins (Grafana 13.0, grafana/scenes 7-8, grafana-clickhouse-datasource 4.20.0);
 * each rule names the file it comes from. grafana/grafana's files were read at the commit named.
 */

const dashboards = loadDashboards();

describe('dashboard links', () => {
  // public/app/features/dashboard-scene/scene/DashboardLinksControls.tsx (grafana/grafana
  // 023625e99fc4): the controls row shows `links.filter((link) => link.placement === undefined)`;
  // `inControlsMenu` links are left to DashboardControlsMenu.tsx, a dropdown behind a button.
  it.each(dashboards.map((d) => [d.json.uid, d.json] as const))(
    '%s: every link has no placement, so the controls row shows it',
    (_uid, json) => {
      const links = (json as { links?: Array<Record<string, unknown>> }).links ?? [];
      expect(links.length).toBeGreaterThan(0);
      for (const link of links) expect(link, String(link.title)).not.toHaveProperty('placement');
    },
  );
});

describe('variables a URL can set', () => {
  // grafana/scenes v8.16.1 packages/scenes/src/variables/variants/ConstantVariable.ts: the
  // constructor forces `skipUrlSync: true`, so `?var-<constant>=` is ignored; TextBoxVariable.tsx
  // and the query variables read their value from the URL unless skipUrlSync is set.
  const docs = [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
  const documented = docs.flatMap((file) =>
    [...readFileSync(join(ROOT, file), 'utf8').matchAll(/var-(\w+)=/g)].map((m) => ({ file, name: m[1]! })),
  );

  it('include every variable the docs tell visitors to set with ?var-', () => {
    expect(documented.map((d) => d.name)).toEqual(
      expect.arrayContaining(['dvm', 'kind', 'job', 'user', 'jaeger_ui']),
    );
    for (const { file, name } of documented) {
      const found = dashboards.flatMap(({ json }) => variablesOf(json).filter((v) => v.name === name));
      expect(found.length, `${file}: var-${name}`).toBeGreaterThan(0);
      for (const v of found) {
        expect(v.type, `${file}: var-${name}`).not.toBe('constant');
        expect(v.skipUrlSync ?? false, `${file}: var-${name}`).toBe(false);
      }
    }
  });

  it('are never constants, which would ignore them', () => {
    for (const { json } of dashboards) {
      for (const v of variablesOf(json)) expect(v.type, `${json.uid} $${v.name}`).not.toBe('constant');
    }
  });
});

describe('node graph links', () => {
  // public/app/features/explore/utils/links.ts (grafana/grafana 0019455cd8a5), useLinks, which the
  // node graph panel calls for a node's context menu: "returns all the links from all the fields",
  // i.e. `dataFrame.fields.flatMap(...)` over the row's frame. Links on n fields show n times.
  const graphs = dashboards.flatMap(({ json }) =>
    panelsOf(json)
      .filter((p) => p.type === 'nodeGraph')
      .map((p) => [`${json.uid} / ${p.title}`, p] as const),
  );

  it.each(graphs)('%s attaches its links to one field of the nodes frame only', (_name, panel) => {
    expect(panel.fieldConfig?.defaults?.links ?? []).toEqual([]);
    const withLinks = (panel.fieldConfig?.overrides ?? []).filter((o) =>
      o.properties.some((p) => p.id === 'links'),
    );
    expect(withLinks).toHaveLength(1);
    const [override] = withLinks;
    expect(override!.matcher.id).toBe('byName');
    const field = override!.matcher.options!;
    const sql = (refId: string) => panel.targets!.find((t) => t.refId === refId)!.rawSql ?? '';
    // The field is a column the nodes query returns and the edges query does not.
    expect(sql('nodes')).toMatch(new RegExp(`\\bAS ${field}\\b`));
    expect(sql('edges')).not.toMatch(new RegExp(`\\b${field}\\b`));
    const titles = (
      override!.properties.find((p) => p.id === 'links')!.value as Array<{ title: string }>
    ).map((l) => l.title);
    expect(new Set(titles).size).toBe(titles.length);
  });
});

describe('ClickHouse plugin values', () => {
  // grafana-clickhouse-datasource v4.20.0: src/types/queryBuilder.ts `enum QueryType` (table, logs,
  // timeseries, traces), src/data/utils.ts mapQueryTypeToGrafanaFormat (timeseries 0, table 1,
  // logs 2, traces 3), src/types/sql.ts `enum EditorType` (sql, builder), and for variables
  // src/data/CHVariableSupport.tsx CHVariableQueryType ('sql' for a raw query).
  const FORMAT_OF: Record<string, number> = { timeseries: 0, table: 1, logs: 2, traces: 3 };
  const targets = panelQueries(dashboards).filter(isClickHouseQuery);

  it.each(targets.map((q) => [q.label, q.target] as const))('%s', (_label, target) => {
    expect(Object.keys(FORMAT_OF)).toContain(target.queryType);
    expect(target.format).toBe(FORMAT_OF[target.queryType!]);
    expect(['sql', 'builder']).toContain(target.editorType);
  });

  it('variable queries are raw SQL variable queries', () => {
    const variables = dashboards.flatMap(({ json }) =>
      variablesOf(json).filter((v) => v.datasource?.type === 'grafana-clickhouse-datasource'),
    );
    expect(variables.length).toBeGreaterThan(2);
    for (const v of variables)
      expect(v.query).toMatchObject({ queryType: 'sql', rawSql: expect.any(String) });
  });
});

describe('traces for anonymous viewers', () => {
  // Explore links are dropped for users without Explore access (explore/utils/links.ts,
  // dataLinkHasRequiredPermissionsFilter), and the compose stack's visitors are anonymous Viewers:
  // the job debug dashboard shows the chain's trace itself, through the Jaeger datasource.
  it('the job debug dashboard has a trace panel on the chain trace id', () => {
    const debug = dashboards.find((d) => d.json.uid === 'dvm-job-debug')!.json;
    const [panel, ...more] = panelsOf(debug).filter((p) => p.type === 'traces');
    expect(more).toEqual([]);
    expect(panel!.datasource).toEqual({ type: 'jaeger', uid: 'jaeger' });
    const [target] = panel!.targets!;
    // No queryType: public/app/plugins/datasource/jaeger/datasource.ts looks `query` up as a trace id
    // when the type is not search (grafana/grafana, read in the index); an empty type is that lookup.
    expect(target).toEqual({
      refId: 'A',
      datasource: { type: 'jaeger', uid: 'jaeger' },
      query: grafanaRef('trace'),
    });
    const trace = variablesOf(debug).find((v) => v.name === 'trace')!;
    expect(trace).toMatchObject({ type: 'query', hide: 2, datasource: { uid: 'clickhouse' } });
  });
});
