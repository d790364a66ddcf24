import { describe, expect, it } from 'vitest';
import { CELL_VALUE } from '../../dashboards/src/lib/links.js';
import { type Dashboard, loadDashboards, variablesOf } from './support/dashboards.js';
import { linksOf, references, rowFields } from './support/links.js';
import { provisionedDatasources } from './support/provisioning.js';

const dashboards = loadDashboards();
const byUid = new Map<string, Dashboard>(dashboards.map((d) => [d.json.uid, d.json]));
const datasourceUids = new Set(provisionedDatasources().map((d) => d.uid));
const allLinks = dashboards.flatMap((d) => linksOf(d.json).map((l) => ({ ...l, source: d.json })));

/** Data-link variables Grafana fills in; anything else after `${__` is a typo. */
const DATA_LINK_VARIABLES = /^__(value\.raw|url_time_range|data\.fields\.\w+|field\.labels\.\w+)$/;

/** Grafana pages the dashboards link to that are not dashboards. */
const GRAFANA_PAGES = new Set(['/alerting/list']);

describe('data links', () => {
  it('exist everywhere a DVM, kind, job or trace is shown', () => {
    const targets = (path: string, variable: string) =>
      allLinks.filter((l) => l.link.url.startsWith(`/d/${path}?`) && l.link.url.includes(`var-${variable}=`));
    expect(targets('dvm-detail', 'dvm').length).toBeGreaterThan(10);
    expect(targets('dvm-kind-detail', 'kind').length).toBeGreaterThan(10);
    expect(targets('dvm-job-debug', 'job').length).toBeGreaterThan(10);
    expect(allLinks.filter((l) => l.link.internal?.datasourceUid === 'jaeger').length).toBeGreaterThan(5);
    // Every dashboard but the exporter's own is a click away from a DVM, a kind and a job.
    for (const { json } of dashboards.filter((d) => d.json.uid !== 'dvm-exporter-health')) {
      expect(linksOf(json).length, json.uid).toBeGreaterThan(0);
    }
  });

  it.each(allLinks.map((l) => [`${l.where}: ${l.link.title}`, l] as const))(
    '%s',
    (_name, { link, source, field }) => {
      if (link.internal) {
        expect(datasourceUids.has(link.internal.datasourceUid), link.internal.datasourceUid).toBe(true);
        expect(JSON.stringify(link.internal.query)).toContain(CELL_VALUE);
        return;
      }
      const url = link.url;
      const { dataVars, dashboardVars } = references(url);
      for (const name of dataVars) expect(name).toMatch(DATA_LINK_VARIABLES);
      // A variable of the dashboard the link is on (e.g. the Jaeger UI address).
      for (const name of dashboardVars) expect(variablesOf(source).map((v) => v.name)).toContain(name);

      if (url.startsWith('/d/${__data.fields.')) {
        // The target is a column of the row (the job graph's nodes): it is the column the link hangs
        // on, and the ClickHouse query tests check every value it takes against the dashboards.
        const [page] = rowFields(url);
        expect(page).toBe(field);
        expect(url).toBe(`/d/\${__data.fields.${page}}&\${__url_time_range}`);
      } else if (url.startsWith('/d/')) {
        const [path = '', query = ''] = url.split('?');
        const uid = path.slice('/d/'.length);
        const target = byUid.get(uid);
        expect(target, `no dashboard with uid "${uid}"`).toBeDefined();
        const variables = variablesOf(target!).map((v) => v.name);
        for (const param of query.split('&').filter((p) => p.startsWith('var-'))) {
          const name = param.slice('var-'.length).split('=')[0]!;
          expect(variables, `${uid} has no variable "${name}"`).toContain(name);
        }
      } else if (!url.startsWith('${')) {
        expect(GRAFANA_PAGES.has(url), `unexpected link target ${url}`).toBe(true);
      }
    },
  );

  it('finds the dashboards the navigation dropdown lists by tag', () => {
    for (const { json } of dashboards) {
      for (const link of json.links ?? []) {
        if (link.type !== 'dashboards') continue;
        for (const tag of link.tags ?? []) {
          const tagged = dashboards.filter((d) => ((d.json as { tags?: string[] }).tags ?? []).includes(tag));
          expect(tagged.length).toBe(dashboards.length);
        }
      }
    }
  });
});
