import type { Builder } from '@grafana/grafana-foundation-sdk/cog';
import { type DashboardBuilder, type Panel, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';

/**
 * Adds a row title and its panels. The SDK places panels left to right and wraps only when a line
 * is exactly full, so each line of a section must add up to the grid's 24 columns: checked here,
 * at generation time, instead of discovered as a ragged layout in Grafana.
 */
export function section(
  dashboard: DashboardBuilder,
  title: string,
  panels: ReadonlyArray<Builder<Panel>>,
): DashboardBuilder {
  dashboard.withRow(new RowBuilder(title));
  let line = 0;
  for (const panel of panels) {
    const width = panel.build().gridPos?.w ?? 12;
    line += width;
    if (line > 24) throw new Error(`section "${title}": a line of panels is wider than 24 columns`);
    if (line === 24) line = 0;
    dashboard.withPanel(panel);
  }
  if (line !== 0)
    throw new Error(`section "${title}": the last line of panels is ${line} of 24 columns wide`);
  return dashboard;
}
