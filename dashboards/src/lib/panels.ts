import type { Builder, Dataquery } from '@grafana/grafana-foundation-sdk/cog';
import {
  BigValueColorMode,
  BigValueGraphMode,
  BigValueTextMode,
  GraphDrawStyle,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  StackingConfigBuilder,
  StackingMode,
  TableCellHeight,
  TableSortByFieldStateBuilder,
  VisibilityMode,
  VizLegendOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import {
  type DataTransformerConfig,
  type DynamicConfigValue,
  PanelBuilder as GenericPanelBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type ValueMapping,
} from '@grafana/grafana-foundation-sdk/dashboard';
import {
  PanelBuilder as PieChartBuilder,
  PieChartLegendOptionsBuilder,
  PieChartLegendValues,
  PieChartType,
} from '@grafana/grafana-foundation-sdk/piechart';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TextBuilder, TextMode } from '@grafana/grafana-foundation-sdk/text';
import { PanelBuilder as TimeSeriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { JaegerTraceQueryBuilder } from './jaeger.js';
import { type DataLink, linksProperty } from './links.js';
import { UNITS } from './units.js';

/**
 * The few panel shapes every dashboard is made of. Each takes the facts that differ (title, query,
 * unit, links) and fixes the look, so a stat or a table looks and behaves the same on every page.
 */

type Target = Builder<Dataquery>;

/** What every panel helper takes. */
export interface PanelCommon {
  title: string;
  description?: string;
  targets: readonly Target[];
  /** Grid width (of 24) and height. */
  width?: number;
  height?: number;
}

export interface Step {
  value: number | null;
  color: string;
}

/** Neutral by default: in dark mode a wall of green reads as "all fine" when it is only a count. */
const NEUTRAL: Step[] = [{ value: null, color: 'text' }];

function thresholds(steps: readonly Step[]): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([...steps]);
}

export interface StatOptions extends PanelCommon {
  unit: string;
  /** A sparkline under the number (needs a range query). */
  sparkline?: boolean;
  /** Show one field of the first row as text (e.g. a name) instead of reducing numbers. */
  textField?: string;
  links?: readonly DataLink[];
  steps?: readonly Step[];
  mappings?: ValueMapping[];
  noValue?: string;
  decimals?: number;
  /** `name` shows the series name (its legend), e.g. a state carried in a label. */
  show?: 'value' | 'name';
}

export function stat(o: StatOptions): StatBuilder {
  const reduce = new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false);
  if (o.textField !== undefined) reduce.values(true).limit(1).fields(`/^${o.textField}$/`);
  const panel = new StatBuilder()
    .title(o.title)
    .targets([...o.targets])
    .unit(o.unit)
    .reduceOptions(reduce)
    .graphMode(o.sparkline === true ? BigValueGraphMode.Area : BigValueGraphMode.None)
    .colorMode(o.steps === undefined ? BigValueColorMode.None : BigValueColorMode.Value)
    .textMode(o.show === 'name' ? BigValueTextMode.Name : BigValueTextMode.Value)
    .thresholds(thresholds(o.steps ?? NEUTRAL))
    .span(o.width ?? 4)
    .height(o.height ?? 4);
  if (o.description !== undefined) panel.description(o.description);
  if (o.mappings !== undefined) panel.mappings(o.mappings);
  if (o.noValue !== undefined) panel.noValue(o.noValue);
  if (o.decimals !== undefined) panel.decimals(o.decimals);
  if (o.links !== undefined) panel.overrideByRegexp('.*', [linksProperty(o.links)]);
  return panel;
}

export interface TimeSeriesOptions extends PanelCommon {
  unit: string;
  stacked?: boolean;
  bars?: boolean;
  /** Legend values shown in a table legend. */
  legendCalcs?: string[];
  links?: readonly DataLink[];
  min?: number;
  max?: number;
}

export function timeSeries(o: TimeSeriesOptions): TimeSeriesBuilder {
  const legend = new VizLegendOptionsBuilder()
    .showLegend(true)
    .placement(LegendPlacement.Bottom)
    .displayMode(o.legendCalcs === undefined ? LegendDisplayMode.List : LegendDisplayMode.Table)
    .calcs(o.legendCalcs ?? []);
  const panel = new TimeSeriesBuilder()
    .title(o.title)
    .targets([...o.targets])
    .unit(o.unit)
    .legend(legend)
    .drawStyle(o.bars === true ? GraphDrawStyle.Bars : GraphDrawStyle.Line)
    .fillOpacity(o.bars === true || o.stacked === true ? 60 : 10)
    .lineWidth(1)
    .showPoints(VisibilityMode.Never)
    .spanNulls(true)
    .thresholds(thresholds(NEUTRAL))
    .span(o.width ?? 12)
    .height(o.height ?? 8);
  if (o.stacked === true) panel.stacking(new StackingConfigBuilder().mode(StackingMode.Normal));
  if (o.description !== undefined) panel.description(o.description);
  if (o.min !== undefined) panel.min(o.min);
  if (o.max !== undefined) panel.max(o.max);
  if (o.links !== undefined) panel.overrideByRegexp('.*', [linksProperty(o.links)]);
  return panel;
}

/** How one column of a table looks and where it leads. */
export interface Column {
  /** The column name in the query result. */
  field: string;
  header?: string;
  unit?: string;
  decimals?: number;
  links?: readonly DataLink[];
  hidden?: boolean;
  width?: number;
  /** Cell rendering: a colored background for states, an image for pictures, JSON for raw events. */
  cell?: 'color-background' | 'color-text' | 'image' | 'json-view' | 'gauge';
  steps?: readonly Step[];
  mappings?: ValueMapping[];
}

export interface TableOptions extends PanelCommon {
  columns: readonly Column[];
  sortBy?: { header: string; desc: boolean };
  transformations?: DataTransformerConfig[];
  noValue?: string;
}

export function table(o: TableOptions): TableBuilder {
  const panel = new TableBuilder()
    .title(o.title)
    .targets([...o.targets])
    .cellHeight(TableCellHeight.Sm)
    .filterable(true)
    .thresholds(thresholds(NEUTRAL))
    .span(o.width ?? 24)
    .height(o.height ?? 10);
  if (o.description !== undefined) panel.description(o.description);
  if (o.noValue !== undefined) panel.noValue(o.noValue);
  if (o.transformations !== undefined) panel.transformations(o.transformations);
  if (o.sortBy !== undefined) {
    panel.sortBy([new TableSortByFieldStateBuilder().displayName(o.sortBy.header).desc(o.sortBy.desc)]);
  }
  for (const column of o.columns) panel.overrideByName(column.field, columnProperties(column));
  return panel;
}

function columnProperties(c: Column): DynamicConfigValue[] {
  const props: DynamicConfigValue[] = [];
  if (c.header !== undefined) props.push({ id: 'displayName', value: c.header });
  if (c.unit !== undefined) props.push({ id: 'unit', value: c.unit });
  if (c.decimals !== undefined) props.push({ id: 'decimals', value: c.decimals });
  if (c.links !== undefined) props.push(linksProperty(c.links));
  if (c.hidden === true) props.push({ id: 'custom.hidden', value: true });
  if (c.width !== undefined) props.push({ id: 'custom.width', value: c.width });
  if (c.cell !== undefined) props.push({ id: 'custom.cellOptions', value: { type: c.cell } });
  if (c.steps !== undefined) props.push({ id: 'thresholds', value: { mode: 'absolute', steps: c.steps } });
  if (c.mappings !== undefined) props.push({ id: 'mappings', value: c.mappings });
  return props;
}

export interface PieOptions extends PanelCommon {
  unit: string;
  links?: readonly DataLink[];
}

/** A donut of shares (e.g. feedback statuses), values and percentages in a table legend. */
export function pie(o: PieOptions): PieChartBuilder {
  const panel = new PieChartBuilder()
    .title(o.title)
    .targets([...o.targets])
    .unit(o.unit)
    .pieType(PieChartType.Donut)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .legend(
      new PieChartLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(LegendDisplayMode.Table)
        .placement(LegendPlacement.Right)
        .values([PieChartLegendValues.Value, PieChartLegendValues.Percent]),
    )
    .span(o.width ?? 8)
    .height(o.height ?? 8);
  if (o.description !== undefined) panel.description(o.description);
  if (o.links !== undefined) panel.overrideByRegexp('.*', [linksProperty(o.links)]);
  return panel;
}

/**
 * Grafana's alert list, showing the Prometheus rules' alerts (data-source managed, read through the
 * Prometheus datasource's `manageAlerts`), filtered by instance labels such as `dvm="$dvm"`.
 */
export function alertList(title: string, labelFilter: string, width = 12, height = 8): GenericPanelBuilder {
  return new GenericPanelBuilder()
    .type('alertlist')
    .title(title)
    .options({
      viewMode: 'list',
      groupMode: 'default',
      groupBy: [],
      maxItems: 20,
      sortOrder: 1,
      dashboardAlerts: false,
      alertName: '',
      alertInstanceLabelFilter: labelFilter,
      datasource: 'Prometheus',
      showInstances: true,
      stateFilter: { firing: true, pending: true, noData: true, normal: true, error: true },
    })
    .span(width)
    .height(height);
}

export interface TracesOptions {
  title: string;
  description?: string;
  /** The trace id, usually a variable reference. */
  traceId: string;
  width?: number;
  height?: number;
}

/** Grafana's trace view of one trace from the Jaeger datasource. */
export function traces(o: TracesOptions): GenericPanelBuilder {
  const panel = new GenericPanelBuilder()
    .type('traces')
    .title(o.title)
    .targets([new JaegerTraceQueryBuilder(o.traceId)])
    .span(o.width ?? 24)
    .height(o.height ?? 14);
  if (o.description !== undefined) panel.description(o.description);
  return panel;
}

export function markdown(title: string, content: string, width = 24, height = 3): TextBuilder {
  return new TextBuilder().title(title).mode(TextMode.Markdown).content(content).span(width).height(height);
}

/** A state column/stat: 1 = up (green), 0 = down (red). */
export const UP_DOWN: { steps: Step[]; mappings: ValueMapping[] } = {
  steps: [
    { value: null, color: 'red' },
    { value: 1, color: 'green' },
  ],
  mappings: [
    {
      type: 'value',
      options: {
        '0': { text: 'down', color: 'red', index: 0 },
        '1': { text: 'up', color: 'green', index: 1 },
      },
    } as ValueMapping,
  ],
};

/** Success ratios: red under 50 %, amber under 90 %. */
export const RATIO_STEPS: Step[] = [
  { value: null, color: 'red' },
  { value: 0.5, color: 'orange' },
  { value: 0.9, color: 'green' },
];

export { UNITS };
