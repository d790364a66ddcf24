import type { Builder, Dataquery } from '@grafana/grafana-foundation-sdk/cog';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/dashboard';
import { JAEGER } from './datasources.js';

/**
 * A Jaeger datasource query for one trace by id. The Foundation SDK has no Jaeger builder, so this
 * follows its custom-query pattern. No `queryType`: a query without one is the Jaeger datasource's
 * trace-id lookup (public/app/plugins/datasource/jaeger/datasource.ts: `target.queryType !==
 * 'search' && target.query` fetches `/api/traces/<id>`); its other types are search, upload and
 * dependency graph.
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
