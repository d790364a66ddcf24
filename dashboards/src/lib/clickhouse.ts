import type { Builder, Dataquery } from '@grafana/grafana-foundation-sdk/cog';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/dashboard';
import { CLICKHOUSE } from './datasources.js';

/**
 * A query target for the grafana-clickhouse-datasource plugin. The Foundation SDK has no builder for
 * it, so this follows the SDK's custom-query pattern: a Dataquery variant whose JSON is exactly what
 * the plugin stores for a raw-SQL query.
 */
export interface ClickHouseQuery extends Dataquery {
  refId?: string;
  hide?: boolean;
  datasource: DataSourceRef;
  editorType: 'sql';
  /** How the plugin shapes the result (the query-type switch in its editor). */
  queryType: ClickHouseQueryType;
  /** The same choice as the plugin's backend reads it (its `Format`): 0 time series, 1 table, 2 logs, 3 traces. */
  format: ClickHouseFormat;
  rawSql: string;
}

/**
 * The plugin's `QueryType` values (grafana-clickhouse-datasource v4.20.0, src/types/queryBuilder.ts):
 * lower case, `timeseries` in one word.
 */
export type ClickHouseQueryType = 'table' | 'timeseries' | 'logs' | 'traces';

/** The plugin's `Format` numbers, which its backend reads (v4.20.0, src/data/utils.ts mapQueryTypeToGrafanaFormat). */
export const ClickHouseFormat = { timeseries: 0, table: 1, logs: 2, traces: 3 } as const;
export type ClickHouseFormat = (typeof ClickHouseFormat)[keyof typeof ClickHouseFormat];

export class ClickHouseQueryBuilder implements Builder<Dataquery> {
  private readonly internal: ClickHouseQuery;

  constructor(rawSql: string, queryType: ClickHouseQueryType = 'table') {
    this.internal = {
      datasource: CLICKHOUSE,
      editorType: 'sql',
      queryType,
      format: ClickHouseFormat[queryType],
      rawSql: normaliseSql(rawSql),
      _implementsDataqueryVariant() {},
    };
  }

  build(): ClickHouseQuery {
    return this.internal;
  }

  refId(refId: string): this {
    this.internal.refId = refId;
    return this;
  }

  hide(hide: boolean): this {
    this.internal.hide = hide;
    return this;
  }
}

/** A table-shaped SQL query (one row per result row). */
export function sqlTable(rawSql: string, refId = 'A'): ClickHouseQueryBuilder {
  return new ClickHouseQueryBuilder(rawSql, 'table').refId(refId);
}

/** A time-series SQL query: the first column is the time bucket, ordered ascending. */
export function sqlTimeSeries(rawSql: string, refId = 'A'): ClickHouseQueryBuilder {
  return new ClickHouseQueryBuilder(rawSql, 'timeseries').refId(refId);
}

/**
 * SQL is written as indented template literals in the dashboard modules; store it without the
 * common indentation and surrounding blank lines so the JSON stays readable in Grafana's editor.
 */
export function normaliseSql(sql: string): string {
  const lines = sql.replace(/\t/g, '  ').split('\n');
  while (lines.length > 0 && lines[0]!.trim() === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  const indents = lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length);
  const common = indents.length === 0 ? 0 : Math.min(...indents);
  return lines.map((l) => l.slice(common).trimEnd()).join('\n');
}
