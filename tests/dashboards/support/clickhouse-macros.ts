import { builtInVariables, clickhouseFormat, interpolate, type VariableValue } from './template-variables.js';

/**
 * What grafana-clickhouse-datasource does to a panel's rawSql before ClickHouse sees it:
 *  1. frontend, applyConditionalAll: `$__conditionalAll(cond, $var)` becomes `cond`, or `1=1` when
 *     the variable is empty or "All";
 *  2. frontend, Grafana's template interpolation with the plugin's formatter;
 *  3. backend (pkg/macros), the time macros, computed from the query's time range and interval.
 * Any `$__` left afterwards is a macro the plugin does not know, and an error here.
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
  const expanded = applyBackendMacros(interpolated, ctx);
  const leftover = /\$__\w+/.exec(expanded);
  if (leftover) throw new Error(`unknown ClickHouse macro ${leftover[0]} in:\n${rawSql}`);
  return expanded;
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
const toDate = (ms: number): string => `toDate('${new Date(ms).toISOString().slice(0, 10)}')`;

type Macro = (args: string[], ctx: QueryContext) => string;

function oneArg(name: string, args: string[]): string {
  if (args.length !== 1) throw new Error(`$__${name} expects 1 argument, got ${args.length}`);
  return args[0]!;
}

/** pkg/macros/macros.go, the macros the plugin's backend registers. */
const MACROS: Record<string, Macro> = {
  fromTime: (_, c) => toDateTime(c.fromMs),
  toTime: (_, c) => toDateTime(c.toMs),
  fromTime_ms: (_, c) => `fromUnixTimestamp64Milli(${c.fromMs})`,
  toTime_ms: (_, c) => `fromUnixTimestamp64Milli(${c.toMs})`,
  timeFilter: (a, c) => {
    const col = oneArg('timeFilter', a);
    return `${col} >= ${toDateTime(c.fromMs)} AND ${col} <= ${toDateTime(c.toMs)}`;
  },
  timeFilter_ms: (a, c) => {
    const col = oneArg('timeFilter_ms', a);
    return `${col} >= fromUnixTimestamp64Milli(${c.fromMs}) AND ${col} <= fromUnixTimestamp64Milli(${c.toMs})`;
  },
  dateFilter: (a, c) => {
    const col = oneArg('dateFilter', a);
    return `${col} >= ${toDate(c.fromMs)} AND ${col} <= ${toDate(c.toMs)}`;
  },
  timeInterval: (a, c) =>
    `toStartOfInterval(toDateTime(${oneArg('timeInterval', a)}), INTERVAL ${Math.max(seconds(c.intervalMs), 1)} second)`,
  interval_s: (_, c) => String(Math.max(seconds(c.intervalMs), 1)),
};

/**
 * Replaces backend macros. Arguments must not contain parentheses: older sqlds versions cut a
 * macro's arguments at the first `)`, so a nested call would break there.
 */
function applyBackendMacros(sql: string, ctx: QueryContext): string {
  const names = Object.keys(MACROS).sort((a, b) => b.length - a.length);
  const pattern = new RegExp(`\\$__(${names.join('|')})(?!\\w)(?:\\(([^()]*)\\))?`, 'g');
  return sql.replace(pattern, (_match, name: string, args: string | undefined) => {
    const list = args === undefined || args.trim() === '' ? [] : args.split(',').map((a) => a.trim());
    return MACROS[name]!(list, ctx);
  });
}
