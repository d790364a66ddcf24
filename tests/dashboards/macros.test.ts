import { describe, expect, it } from 'vitest';
import {
  ALL,
  applyConditionalAll,
  expandClickHouseSql,
  type QueryContext,
} from './support/clickhouse-macros.js';
import { interpolate, prometheusFormat } from './support/template-variables.js';

const ctx = (variables: QueryContext['variables'] = {}): QueryContext => ({
  fromMs: Date.UTC(2025, 0, 2, 3, 4, 5, 678),
  toMs: Date.UTC(2025, 0, 3, 3, 4, 5, 678),
  intervalMs: 300_000,
  variables,
});

describe('ClickHouse macro expansion (as grafana-clickhouse-datasource does it)', () => {
  it('expands the time macros to the plugin backend output', () => {
    const sql =
      'SELECT $__timeInterval(created_at) AS t FROM e WHERE $__timeFilter(created_at) AND x < $__toTime';
    expect(expandClickHouseSql(sql, ctx())).toBe(
      'SELECT toStartOfInterval(toDateTime(created_at), INTERVAL 300 second) AS t FROM e ' +
        'WHERE created_at >= toDateTime(1735787045) AND created_at <= toDateTime(1735873445) ' +
        'AND x < toDateTime(1735873445)',
    );
  });

  it('keeps $__fromTime and $__fromTime_ms apart and floors intervals at one second', () => {
    const sql = 'SELECT $__fromTime, $__fromTime_ms, $__interval_s';
    expect(expandClickHouseSql(sql, { ...ctx(), intervalMs: 200 })).toBe(
      'SELECT toDateTime(1735787045), fromUnixTimestamp64Milli(1735787045678), 1',
    );
  });

  it('drops a $__conditionalAll condition when its variable is empty or All', () => {
    const sql = `WHERE $__conditionalAll(dvm = '\${dvm}', $dvm) AND k IN ($kind)`;
    expect(expandClickHouseSql(sql, ctx({ dvm: '', kind: ['5300', '5050'] }))).toBe(
      "WHERE 1=1 AND k IN ('5300','5050')",
    );
    expect(applyConditionalAll(sql, { dvm: ALL })).toBe('WHERE 1=1 AND k IN ($kind)');
    expect(expandClickHouseSql(sql, ctx({ dvm: 'ab', kind: '5300' }))).toBe(
      "WHERE dvm = 'ab' AND k IN (5300)",
    );
  });

  it('keeps nested calls inside a $__conditionalAll condition whole', () => {
    const sql = `WHERE $__conditionalAll(kind IN (toUInt16(\${kind})), \${kind})`;
    expect(applyConditionalAll(sql, { kind: '5300' })).toBe(`WHERE kind IN (toUInt16(\${kind}))`);
  });

  it('escapes quotes with the :sqlstring format', () => {
    expect(expandClickHouseSql(`WHERE id = \${job:sqlstring}`, ctx({ job: "x' OR 1=1 --" }))).toBe(
      "WHERE id = 'x'' OR 1=1 --'",
    );
  });

  it('rejects macros the plugin does not know, and arguments older plugins would cut short', () => {
    expect(() => expandClickHouseSql('SELECT $__timeGroup(t, 1h)', ctx())).toThrow(
      /unknown ClickHouse macro/,
    );
    expect(() => expandClickHouseSql('WHERE $__timeFilter(toDateTime(t))', ctx())).toThrow(
      /expects 1 argument/,
    );
  });

  it('leaves unknown variables as written, like Grafana', () => {
    expect(expandClickHouseSql("SELECT '$nothing'", ctx())).toBe("SELECT '$nothing'");
  });
});

describe('Prometheus variable interpolation', () => {
  it('escapes single values and turns multi-values into a regex alternation', () => {
    expect(interpolate('up{dvm="$dvm"}', { dvm: 'ab' }, prometheusFormat)).toBe('up{dvm="ab"}');
    expect(
      interpolate('up{relay=~"$relay"}', { relay: ['wss://a.io', 'wss://b.io'] }, prometheusFormat),
    ).toBe('up{relay=~"(wss://a\\\\.io|wss://b\\\\.io)"}');
  });
});
