import type { Dashboard, DataLink, Panel } from './dashboards.js';
import { panelsOf } from './dashboards.js';

/** Every link a dashboard offers: field data links, dashboard links and links in text panels. */

export interface FoundLink {
  /** Where it is, for messages. */
  where: string;
  panel: Panel | null;
  /** The field the link is attached to (by-name override), if any. */
  field: string | null;
  link: DataLink;
}

export function linksOf(dashboard: Dashboard): FoundLink[] {
  const found: FoundLink[] = [];
  for (const panel of panelsOf(dashboard)) {
    const where = `${dashboard.uid} / ${panel.title}`;
    for (const link of panel.fieldConfig?.defaults?.links ?? [])
      found.push({ where, panel, field: null, link });
    for (const override of panel.fieldConfig?.overrides ?? []) {
      const field = override.matcher.id === 'byName' ? (override.matcher.options ?? null) : null;
      for (const property of override.properties) {
        if (property.id !== 'links') continue;
        for (const link of property.value as DataLink[]) {
          found.push({
            where: `${where} / ${override.matcher.options ?? override.matcher.id}`,
            panel,
            field,
            link,
          });
        }
      }
    }
    for (const match of (panel.options?.content ?? '').matchAll(/\]\(([^)]+)\)/g)) {
      found.push({ where, panel, field: null, link: { title: 'markdown', url: match[1]! } });
    }
  }
  return found;
}

/** `${name}` references in a URL, with Grafana's data-link variables split from dashboard variables. */
export function references(url: string): { dataVars: string[]; dashboardVars: string[] } {
  const names = [...url.matchAll(/\$\{([^}:]+)(?::[^}]+)?\}/g)].map((m) => m[1]!);
  return {
    dataVars: names.filter((n) => n.startsWith('__')),
    dashboardVars: names.filter((n) => !n.startsWith('__')),
  };
}

/** Columns a link reads from its row: `${__data.fields.X}`. */
export function rowFields(url: string): string[] {
  return [...url.matchAll(/\$\{__data\.fields\.([^}]+)\}/g)].map((m) => m[1]!);
}

/** Series labels a link reads: `${__field.labels.X}`. */
export function seriesLabels(url: string): string[] {
  return [...url.matchAll(/\$\{__field\.labels\.([^}]+)\}/g)].map((m) => m[1]!);
}

/**
 * Checks a page a row links to (`<uid>?var-x=<value>&...`, the value of a link's target column)
 * against the dashboards: an existing uid, variables it has, none empty. Returns what is wrong.
 */
export function pageProblems(page: string, dashboards: readonly Dashboard[]): string[] {
  const [uid = '', query = ''] = page.split('?');
  const target = dashboards.find((d) => d.uid === uid);
  if (target === undefined) return [`no dashboard with uid "${uid}" (${page})`];
  const names = new Set((target.templating?.list ?? []).map((v) => v.name));
  const params = query.split('&').filter((p) => p !== '');
  if (params.length === 0) return [`${page} sets no variable`];
  return params.flatMap((param) => {
    const [key = '', value = ''] = param.split('=');
    if (!key.startsWith('var-') || !names.has(key.slice('var-'.length)))
      return [`${uid} has no ${key} (${page})`];
    return value === '' ? [`${page} leaves ${key} empty`] : [];
  });
}
