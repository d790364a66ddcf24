import type { Panel } from './dashboards.js';
import { rowFields } from './links.js';

/**
 * The result columns a panel relies on: columns it styles or hides by name, columns its data links
 * read (`${__data.fields.X}`), the field a stat shows as text. A query that stops returning one of
 * them leaves a blank column or a dead link in Grafana, so the query tests check them against real
 * results.
 */
export function fieldsUsedBy(panel: Panel): string[] {
  const fields = new Set<string>();
  for (const override of panel.fieldConfig?.overrides ?? []) {
    if (override.matcher.id === 'byName' && override.matcher.options) fields.add(override.matcher.options);
    for (const property of override.properties) {
      if (property.id !== 'links') continue;
      for (const link of property.value as Array<{ url: string }>)
        for (const f of rowFields(link.url)) fields.add(f);
    }
  }
  for (const link of panel.fieldConfig?.defaults?.links ?? [])
    for (const f of rowFields(link.url)) fields.add(f);
  const reduceFields = (panel.options as { reduceOptions?: { fields?: string } } | undefined)?.reduceOptions
    ?.fields;
  const exact = reduceFields ? /^\/\^(\w+)\$\/$/.exec(reduceFields) : null;
  if (exact) fields.add(exact[1]!);
  return [...fields].sort();
}

/** Header texts given to columns (for checking a table's default sort names a real column). */
export function headersOf(panel: Panel): Map<string, string> {
  const headers = new Map<string, string>();
  for (const override of panel.fieldConfig?.overrides ?? []) {
    const name = override.matcher.options;
    const display = override.properties.find((p) => p.id === 'displayName')?.value;
    if (override.matcher.id === 'byName' && name && typeof display === 'string') headers.set(display, name);
  }
  return headers;
}
