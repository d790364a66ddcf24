import { builtInVariables, clickhouseFormat, interpolate, type VariableValue } from './template-variables.js';

/**
 * What grafana-clickhouse-datasource v4.20.0 (the version docker-compose.yml installs) does to a
 * panel's rawSql before ClickHouse sees it:
 *  1. frontend, src/data/CHDatasource.ts applyConditionalAll: `$__conditionalAll(cond, $var)`
 *     becomes `cond`, or `1=1` when the variable is empty or "All";
 *  2. frontend, Grafana's template interpolation with the plugin's `format` (same file: arrays become
 *     `'a','b'`, single values stay raw; an explicit `${var:format}` wins);
 *  3. backend, pkg/macros/macros.go `ClickHouseMacros`: the time macros, from the query's time range
 *     and interval, macros nested in another's arguments expanded first.
 * The expansion below covers the macros the dashboards use. A macro of the plugin's set that it does
 * not cover, or a `$__` name the plugin does not have, is an error here.
 */

export interface QueryContext {
  fromMs: number;
  toMs: number;
  /** The panel interval Grafana computed for the query ($__interval). */
  intervalMs: number;
  /** Dashboard variables by name; `ALL` stands for the "All" option of a variable. */
  variables: Readonly<Record<string, VariableValue>>;
}

/** The value Grafana stores for a variable set to "All". */
export const ALL = '$__all';

export function expandClickHouseSql(rawSql: string, ctx: QueryContext): string {
  const conditioned = applyConditionalAll(rawSql, ctx.variables);
  const interpolated = interpolate(
    conditioned,
    { ...builtInVariables({ fromMs: ctx.fromMs, toMs: ctx.toMs }, ctx.intervalMs), ...ctx.variables },
    clickhouseFormat,
  );
  try {
    return applyBackendMacros(interpolated, ctx);
  } catch (error) {
    throw new Error(`${(error as Error).message} in:\n${rawSql}`);
  }
}

/** CHDatasource.applyConditionalAll, innermost (last) occurrence first. */
export function applyConditionalAll(rawSql: string, variables: QueryContext['variables']): string {
  const macro = '$__conditionalAll(';
  let query = rawSql;
  let index = query.lastIndexOf(macro);
  while (index !== -1) {
    const params = macroArgs(query, index + macro.length - 1);
    if (params.length !== 2) return query;
    const [condition, variableParam] = params as [string, string];
    const name = /(?<=\$\{)[\w\d]+(?=\})|(?<=\$)[\w\d]+/.exec(variableParam.trim())?.[0];
    let phrase = condition;
    if (name !== undefined) {
      const value = variables[name];
      const text = value === undefined ? '' : typeof value === 'string' ? value : value.join(',');
      if (text === '' || text === ALL) phrase = '1=1';
    }
    query = query.replace(`${macro}${condition},${variableParam})`, phrase);
    index = query.lastIndexOf(macro);
  }
  return query;
}

/** CHDatasource.getMacroArgs: top-level comma-separated arguments of the call starting at `open`. */
function macroArgs(query: string, open: number): string[] {
  const args: string[] = [];
  const text = query.slice(open);
  let depth = 0;
  let start = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    if (c === ',' && depth === 1) {
      args.push(text.slice(start, i));
      start = i + 1;
    }
    if ((c === '(' || c === ')' || c === ',') && depth === 0) {
      args.push(text.slice(start, i));
      return args;
    }
  }
  return [];
}

const seconds = (ms: number): number => Math.floor(ms / 1000);
const toDateTime = (ms: number): string => `toDateTime(${seconds(ms)})`;
const toDateTime64 = (ms: number): string => `fromUnixTimestamp64Milli(${ms})`;
const toDate = (ms: number): string => `toDate('${new Date(ms).toISOString().slice(0, 10)}')`;

type Macro = (args: string[], ctx: QueryContext) => string;

function args1(name: string, args: string[]): string {
  if (args.length !== 1) throw new Error(`$__${name} expected 1 argument(s), received ${args.length}`);
  return args[0]!;
}

/** pkg/macros/macros.go at v4.20.0: what each macro the dashboards use expands to. */
const MACROS: Record<string, Macro> = {
  fromTime: (_, c) => toDateTime(c.fromMs),
  toTime: (_, c) => toDateTime(c.toMs),
  fromTime_ms: (_, c) => toDateTime64(c.fromMs),
  toTime_ms: (_, c) => toDateTime64(c.toMs),
  timeFilter: (a, c) => {
    const col = args1('timeFilter', a);
    return `${col} >= ${toDateTime(c.fromMs)} AND ${col} <= ${toDateTime(c.toMs)}`;
  },
  timeFilter_ms: (a, c) => {
    const col = args1('timeFilter_ms', a);
    return `${col} >= ${toDateTime64(c.fromMs)} AND ${col} <= ${toDateTime64(c.toMs)}`;
  },
  dateFilter: (a, c) => {
    const col = args1('dateFilter', a);
    return `${col} >= ${toDate(c.fromMs)} AND ${col} <= ${toDate(c.toMs)}`;
  },
  timeInterval: (a, c) =>
    `toStartOfInterval(toDateTime(${args1('timeInterval', a)}), INTERVAL ${Math.max(seconds(c.intervalMs), 1)} second)`,
  interval_s: (_, c) => String(Math.max(seconds(c.intervalMs), 1)),
};

/**
 * The rest of the plugin's macro set at v4.20.0 (`ClickHouseMacros`, which merges macropro's
 * defaults: interval, interval_ms, timeFrom, timeTo, timeGroup, table, column). Not modelled here:
 * a dashboard that starts using one needs its expansion added above, from that file.
 */
const NOT_MODELLED = new Set([
  'dateTimeFilter',
  'dt',
  'timeInterval_ms',
  'timeFrom',
  'timeTo',
  'timeGroup',
  'interval',
  'interval_ms',
  'table',
  'column',
]);

/** The arguments of a call whose `(` is at `open`: top-level comma-separated, and the index after `)`. */
function callArgs(sql: string, open: number): { args: string[]; end: number } {
  let depth = 0;
  let start = open + 1;
  const args: string[] = [];
  for (let i = open; i < sql.length; i++) {
    const c = sql[i];
    if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) {
        args.push(sql.slice(start, i));
        const trimmed = args.map((a) => a.trim());
        return {
          args: trimmed.length === 1 && trimmed[0] === '' ? [] : trimmed,
          end: i + 1,
        };
      }
    } else if (c === ',' && depth === 1) {
      args.push(sql.slice(start, i));
      start = i + 1;
    }
  }
  throw new Error(`unbalanced parentheses after ${sql.slice(0, open)}`);
}

/** Replaces backend macros, innermost first (a macro's arguments are expanded before it). */
function applyBackendMacros(sql: string, ctx: QueryContext): string {
  const pattern = /\$__(\w+)/g;
  let out = '';
  let at = 0;
  for (let match = pattern.exec(sql); match !== null; match = pattern.exec(sql)) {
    const name = match[1]!;
    const macro = MACROS[name];
    if (macro === undefined) {
      if (NOT_MODELLED.has(name))
        throw new Error(`$__${name} is the plugin's, but not modelled by the tests`);
      throw new Error(`unknown ClickHouse macro $__${name}`);
    }
    out += sql.slice(at, match.index);
    const after = match.index + match[0].length;
    if (sql[after] === '(') {
      const { args, end } = callArgs(sql, after);
      out += macro(
        args.map((a) => applyBackendMacros(a, ctx)),
        ctx,
      );
      at = end;
    } else {
      out += macro([], ctx);
      at = after;
    }
    pattern.lastIndex = at;
  }
  return out + sql.slice(at);
}
