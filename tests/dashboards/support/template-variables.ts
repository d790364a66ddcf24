/**
 * Grafana's frontend template interpolation (templateSrv.replace), as the datasources call it:
 * `$var`, `${var}`, `${var:format}` and `[[var]]`, plus the built-in `$__interval`, `$__range`, ...
 * Each datasource passes its own formatter for variables without an explicit format; the
 * ClickHouse and Prometheus ones are below. Unknown names are left as written, like Grafana does.
 */

/** A variable's current value: one value, several (multi-select), or every option (All). */
export type VariableValue = string | readonly string[];

export type Formatter = (value: VariableValue) => string;

/** The same pattern Grafana uses to find variable references. */
const VARIABLE_REFERENCE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/g;

export function interpolate(
  text: string,
  variables: Readonly<Record<string, VariableValue>>,
  defaultFormat: Formatter,
): string {
  return text.replace(
    VARIABLE_REFERENCE,
    (match, bare, bracket, bracketFormat, braced, fieldPath, bracedFormat) => {
      const name = (bare ?? bracket ?? braced) as string;
      if (fieldPath !== undefined) throw new Error(`unsupported variable field path in ${match}`);
      const value = variables[name];
      if (value === undefined) return match;
      const format = (bracketFormat ?? bracedFormat) as string | undefined;
      return format === undefined ? defaultFormat(value) : applyFormat(value, format);
    },
  );
}

function list(value: VariableValue): readonly string[] {
  return typeof value === 'string' ? [value] : value;
}

/**
 * scenes' encodeURIComponentStrict: encodeURIComponent, then the sub-delims it leaves, `!'()*`, as
 * upper-case `%XX` too (grafana/scenes packages/scenes/src/variables/interpolation/formatRegistry.ts,
 * unchanged from v7.0.0 to v8.16.1; Grafana 13 dashboards interpolate through scenes).
 */
function encodeURIComponentStrict(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The same file's SQL_ESCAPE_MAP: a quote is doubled, a double quote backslash-escaped, nothing else. */
function sqlStringEscape(value: string): string {
  return `'${value.replace(/'|"/g, (c) => (c === "'" ? "''" : '\\"'))}'`;
}

/**
 * The explicit formats (`${var:format}`) the dashboards use, each as the scenes formatRegistry
 * above writes it; any other is a test failure.
 */
export const GRAFANA_FORMATS: Readonly<Record<string, (value: VariableValue) => string>> = {
  raw: (value) => list(value).join(','),
  csv: (value) => list(value).join(','),
  percentencode: (value) =>
    typeof value === 'string'
      ? encodeURIComponentStrict(value)
      : encodeURIComponentStrict(`{${value.join(',')}}`),
  sqlstring: (value) => list(value).map(sqlStringEscape).join(','),
  singlequote: (value) =>
    list(value)
      .map((v) => `'${v.replace(/'/g, "\\'")}'`)
      .join(','),
};

function applyFormat(value: VariableValue, format: string): string {
  const formatter = GRAFANA_FORMATS[format];
  if (formatter === undefined) throw new Error(`variable format "${format}" is not modelled by the tests`);
  return formatter(value);
}

/** grafana-clickhouse-datasource's formatter: arrays become `'a','b'`, single values stay raw. */
export const clickhouseFormat: Formatter = (value) =>
  typeof value === 'string' ? value : `'${value.join("','")}'`;

/** Grafana's prometheusRegularEscape: for variables that are neither multi-value nor "All". */
function prometheusRegularEscape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/'/g, "\\\\'");
}

/** Grafana's prometheusSpecialRegexEscape: values of multi-value variables go into `=~` regexes. */
function prometheusSpecialRegexEscape(value: string): string {
  return value.replace(/\\/g, '\\\\\\\\').replace(/[$^*{}[\]'+?.()|]/g, '\\\\$&');
}

/**
 * The Prometheus datasource's interpolateQueryExpr. A single-select variable (a string here) is
 * inserted with backslashes and quotes escaped; a multi-value one (an array) becomes an escaped
 * regex alternation for `=~` matchers.
 */
export const prometheusFormat: Formatter = (value) => {
  if (typeof value === 'string') return prometheusRegularEscape(value);
  const escaped = value.map(prometheusSpecialRegexEscape);
  return escaped.length === 1 ? escaped[0]! : `(${escaped.join('|')})`;
};

/** Grafana's built-in variables for a query over `range` with the panel interval `intervalMs`. */
export function builtInVariables(range: { fromMs: number; toMs: number }, intervalMs: number) {
  const rangeMs = range.toMs - range.fromMs;
  return {
    __interval: durationText(intervalMs),
    __interval_ms: String(intervalMs),
    __range: `${Math.round(rangeMs / 1000)}s`,
    __range_s: String(Math.round(rangeMs / 1000)),
    __range_ms: String(rangeMs),
    __from: String(range.fromMs),
    __to: String(range.toMs),
  };
}

/** `$__interval` text: Grafana renders whole units (ms, s, m, h). */
export function durationText(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
