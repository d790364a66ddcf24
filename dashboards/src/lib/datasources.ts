import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/dashboard';

/**
 * The datasources every dashboard uses, by the fixed uids that provisioning/grafana/datasources gives
 * them. File provisioning never resolves `${DS_*}` inputs, so panels name these uids directly.
 */
export const DATASOURCE_UIDS = {
  prometheus: 'prometheus',
  clickhouse: 'clickhouse',
  jaeger: 'jaeger',
} as const;

export const CLICKHOUSE_PLUGIN = 'grafana-clickhouse-datasource';

export const PROMETHEUS: DataSourceRef = { type: 'prometheus', uid: DATASOURCE_UIDS.prometheus };
export const CLICKHOUSE: DataSourceRef = { type: CLICKHOUSE_PLUGIN, uid: DATASOURCE_UIDS.clickhouse };
export const JAEGER: DataSourceRef = { type: 'jaeger', uid: DATASOURCE_UIDS.jaeger };
