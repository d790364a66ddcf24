import {
  DataqueryBuilder,
  PromQueryFormat,
  QueryEditorMode,
} from '@grafana/grafana-foundation-sdk/prometheus';
import { PROMETHEUS } from './datasources.js';

/** PromQL targets in the three shapes the dashboards use; all in code mode on the provisioned uid. */

function base(expr: string, refId: string): DataqueryBuilder {
  return new DataqueryBuilder()
    .datasource(PROMETHEUS)
    .editorMode(QueryEditorMode.Code)
    .expr(expr)
    .refId(refId);
}

/** A range query for time-series panels; `legend` uses Grafana's `{{label}}` syntax. */
export function promRange(expr: string, legend = '', refId = 'A'): DataqueryBuilder {
  return base(expr, refId)
    .range()
    .legendFormat(legend === '' ? '__auto' : legend);
}

/** The latest value only, for stat panels. */
export function promInstant(expr: string, legend = '', refId = 'A'): DataqueryBuilder {
  return base(expr, refId)
    .instant()
    .legendFormat(legend === '' ? '__auto' : legend);
}

/** One row per series with its labels as columns, for tables and joins with ClickHouse rows. */
export function promTable(expr: string, refId = 'A'): DataqueryBuilder {
  return base(expr, refId).instant().format(PromQueryFormat.Table);
}

/** A range query with exemplars, for latency panels: each exemplar carries the job's `traceId`. */
export function promRangeWithExemplars(expr: string, legend = '', refId = 'A'): DataqueryBuilder {
  return promRange(expr, legend, refId).exemplar(true);
}
