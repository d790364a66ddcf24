import { describe, expect, it } from 'vitest';
import {
  ALL,
  applyConditionalAll,
  expandClickHouseSql,
  type QueryContext,
} from './support/clickhouse-macros.js';
import { GRAFANA_FORMATS, interpolate, prometheusFormat } from './support/template-variables.js';

/**
 * The expansion the query tests rely on, checked against what the upstream projects' own tests say
 * their code produces, not against a copy of their rules: each expected string below is quoted from
 * the file and tag named beside it.
 */

/** The time range of the plugin's TestInterpolate: 2014-11-12T11:45:26.123Z to 2015-11-12T11:45:26.456Z. */
const pluginRange = (intervalMs: number, variables: QueryContext['variables'] = {}): QueryContext => ({
  fromMs: Date.UTC(2014, 10, 12, 11, 45, 26, 123),
  toMs: Date.UTC(2015, 10, 12, 11, 45, 26, 456),
  intervalMs,
  variables,
});

describe('ClickHouse macros as grafana-clickhouse-datasource v4.20.0 expands them', () => {
  // pkg/macros/macros_test.go at v4.20.0, TestInterpolate.
  it.each([
    [
      'select * from foo where $__timeFilter(cast(sth as timestamp))',
      'select * from foo where cast(sth as timestamp) >= toDateTime(1415792726) AND cast(sth as timestamp) <= toDateTime(1447328726)',
    ],
    [
      'select * from foo where $__timeFilter_ms(cast(sth as timestamp) )',
      'select * from foo where cast(sth as timestamp) >= fromUnixTimestamp64Milli(1415792726123) AND cast(sth as timestamp) <= fromUnixTimestamp64Milli(1447328726456)',
    ],
    [
      'select * from foo where ( date >= $__fromTime and date <= $__toTime ) limit 100',
      'select * from foo where ( date >= toDateTime(1415792726) and date <= toDateTime(1447328726) ) limit 100',
    ],
    [
      'select * from foo where ( date >= $__fromTime_ms ) and ( date <= $__toTime_ms ) limit 100',
      'select * from foo where ( date >= fromUnixTimestamp64Milli(1415792726123) ) and ( date <= fromUnixTimestamp64Milli(1447328726456) ) limit 100',
    ],
  ])('%s', (input, output) => {
    expect(expandClickHouseSql(input, pluginRange(0))).toBe(output);
  });

  // pkg/macros/macros_test.go at v4.20.0, TestInterpolateNestedMacros (interval 60 s).
  it.each([
    [
      'SELECT $__timeInterval($__fromTime) AS from_time',
      'SELECT toStartOfInterval(toDateTime(toDateTime(1415792726)), INTERVAL 60 second) AS from_time',
    ],
    [
      'select * from foo where $__timeFilter(coalesce(closed_at, $__toTime))',
      'select * from foo where coalesce(closed_at, toDateTime(1447328726)) >= toDateTime(1415792726) AND coalesce(closed_at, toDateTime(1447328726)) <= toDateTime(1447328726)',
    ],
  ])('nested: %s', (input, output) => {
    expect(expandClickHouseSql(input, pluginRange(60_000))).toBe(output);
  });

  // Same file: TestMacroDateFilter, TestMacroTimeInterval (interval 20 s), TestMacroIntervalSeconds.
  it('expands $__dateFilter, $__timeInterval and $__interval_s', () => {
    const ctx = pluginRange(20_000);
    expect(expandClickHouseSql('$__dateFilter(dateCol)', ctx)).toBe(
      "dateCol >= toDate('2014-11-12') AND dateCol <= toDate('2015-11-12')",
    );
    expect(expandClickHouseSql('$__timeInterval(col)', ctx)).toBe(
      'toStartOfInterval(toDateTime(col), INTERVAL 20 second)',
    );
    expect(expandClickHouseSql('$__interval_s', ctx)).toBe('20');
  });

  it('knows the whole macro set of macros.go (ClickHouseMacros), and no other', () => {
    // $__timeGroup is the plugin's (macros.go TimeGroup); the tests do not model it.
    expect(() => expandClickHouseSql('SELECT $__timeGroup(t, 1h)', pluginRange(0))).toThrow(/not modelled/);
    expect(() => expandClickHouseSql('SELECT $__timeBucket(t)', pluginRange(0))).toThrow(
      /unknown ClickHouse macro/,
    );
  });

  // src/data/CHDatasource.ts at v4.20.0, applyConditionalAll: the condition, or 1=1 when the
  // variable's current value is '' or $__all.
  it('drops a $__conditionalAll condition when its variable is empty or All', () => {
    const sql = `WHERE $__conditionalAll(dvm = '\${dvm}', $dvm)`;
    expect(applyConditionalAll(sql, { dvm: '' })).toBe('WHERE 1=1');
    expect(applyConditionalAll(sql, { dvm: ALL })).toBe('WHERE 1=1');
    expect(applyConditionalAll(sql, { dvm: 'ab' })).toBe(`WHERE dvm = '\${dvm}'`);
  });

  // Same file, format(): a multi-value variable without an explicit format becomes 'a','b'.
  it("formats a multi-value variable as the plugin's format() does", () => {
    expect(expandClickHouseSql('k IN ($kind)', pluginRange(0, { kind: ['5300', '5050'] }))).toBe(
      "k IN ('5300','5050')",
    );
  });
});

describe("Grafana's variable formats (grafana/scenes v8.16.1, formatRegistry.test.ts)", () => {
  it('percentencode', () => {
    expect(GRAFANA_FORMATS.percentencode!(['foo()bar BAZ', 'test2'])).toBe(
      '%7Bfoo%28%29bar%20BAZ%2Ctest2%7D',
    );
  });

  it('sqlstring', () => {
    expect(GRAFANA_FORMATS.sqlstring!("test'value")).toBe(`'test''value'`);
    expect(GRAFANA_FORMATS.sqlstring!('test"value')).toBe(`'test\\"value'`);
    expect(GRAFANA_FORMATS.sqlstring!(['test', "test'value2", 'test"value3'])).toBe(
      `'test','test''value2','test\\"value3'`,
    );
  });

  it('singlequote', () => {
    expect(GRAFANA_FORMATS.singlequote!(['test', "test'2"])).toBe("'test','test\\'2'");
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
