import type { Builder, Dataquery } from '@grafana/grafana-foundation-sdk/cog';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/dashboard';
import { JAEGER } from './datasources.js';

/**
 * A Jaeger datasource query for one trace by id. The Foundation SDK has no Jaeger builder, so this
 * follows its custom-query pattern. No `queryType`: the Jaeger datasource looks a trace id up only
 * when the query type is empty (search, upload and dependency graph are the other types).
 */
export interface JaegerTraceQuery extends Dataquery {
  refId: string;
  datasource: DataSourceRef;
  query: string;
}

export class JaegerTraceQueryBuilder implements Builder<Dataquery> {
  private readonly internal: JaegerTraceQuery;

  constructor(traceId: string, refId = 'A') {
    this.internal = { refId, datasource: JAEGER, query: traceId, _implementsDataqueryVariant() {} };
  }

  build(): JaegerTraceQuery {
    return this.internal;
  }
}
