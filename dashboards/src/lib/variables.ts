import {
  QueryVariableBuilder,
  TextBoxVariableBuilder,
  VariableHide,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { normaliseSql } from './clickhouse.js';
import { CLICKHOUSE, PROMETHEUS } from './datasources.js';
import { JAEGER_UI_VARIABLE } from './links.js';

/**
 * Template variables shared by the dashboards. The names are part of the URL contract: data links
 * elsewhere set `var-dvm`, `var-kind` and `var-job`.
 */

/** A ClickHouse query variable: first column is the value, an optional second column the label. */
function clickhouseVariable(name: string, label: string, rawSql: string): QueryVariableBuilder {
  return new QueryVariableBuilder(name)
    .label(label)
    .datasource(CLICKHOUSE)
    .query({ refId: name, queryType: 'sql', editorType: 'sql', rawSql: normaliseSql(rawSql) })
    .refresh(VariableRefresh.OnDashboardLoad)
    .allowCustomValue(true);
}

/** `$dvm`: a DVM's hex pubkey, listed by name. */
export function dvmVariable(rawSql: string): QueryVariableBuilder {
  return clickhouseVariable('dvm', 'DVM', rawSql).sort(VariableSort.AlphabeticalCaseInsensitiveAsc);
}

/** `$kind`: a request kind (decimal). */
export function kindVariable(rawSql: string): QueryVariableBuilder {
  return clickhouseVariable('kind', 'Kind', rawSql).sort(VariableSort.NumericalAsc);
}

/** `$job`: any request event id; empty means "no job chosen". */
export function jobVariable(): TextBoxVariableBuilder {
  return new TextBoxVariableBuilder('job').label('Job (request event id)').defaultValue('');
}

/** `$relay`: relays the exporter reads, for the health dashboard. */
export function relayVariable(metric: string): QueryVariableBuilder {
  return new QueryVariableBuilder('relay')
    .label('Relay')
    .datasource(PROMETHEUS)
    .query(`label_values(${metric}, relay)`)
    .definition(`label_values(${metric}, relay)`)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .multi(true)
    .includeAll(true)
    .current({ text: 'All', value: '$__all' })
    .sort(VariableSort.AlphabeticalAsc);
}

/** The Jaeger UI address in docker-compose.yml, which the browser reaches on localhost. */
export const DEFAULT_JAEGER_UI = 'http://localhost:16686';

/**
 * Where the browser reaches the Jaeger UI; trace links use it. A hidden textbox, because a textbox
 * takes its value from the URL (`?var-jaeger_ui=https://jaeger.example`) and a constant never does.
 */
export function jaegerUiVariable(): TextBoxVariableBuilder {
  return new TextBoxVariableBuilder(JAEGER_UI_VARIABLE)
    .label('Jaeger UI')
    .defaultValue(DEFAULT_JAEGER_UI)
    .current({ text: DEFAULT_JAEGER_UI, value: DEFAULT_JAEGER_UI })
    .hide(VariableHide.HideVariable);
}

/**
 * `$trace`: the trace id of a chain, computed by `rawSql` from the other variables; hidden, it feeds
 * the trace panel's Jaeger query (a datasource query cannot read a ClickHouse result otherwise).
 */
export const TRACE_VARIABLE = 'trace';

export function traceVariable(rawSql: string): QueryVariableBuilder {
  return clickhouseVariable(TRACE_VARIABLE, 'Trace', rawSql)
    .allowCustomValue(false)
    .hide(VariableHide.HideVariable);
}

/** `$user`: a pubkey whose events to list; empty means everyone. */
export function userVariable(): TextBoxVariableBuilder {
  return new TextBoxVariableBuilder('user').label('User (pubkey)').defaultValue('');
}
