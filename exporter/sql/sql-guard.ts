/**
 * The statement checks behind ad-hoc SQL, the first line before the engine's own limits. They run
 * on what ClickHouse itself produced from the query, never on the asker's text:
 *
 * - `checkReadOnlyStatement` scans the statement as `formatQuerySingleLine` printed it (exactly one
 *   well-formed statement, comments removed, literals re-quoted) for a reading statement without a
 *   `SETTINGS` clause, `INTO OUTFILE` or `FORMAT` (INTO OUTFILE is written by the embedded engine's
 *   client code, outside what `readonly` governs);
 * - `checkSyntaxTree` reads the engine's `EXPLAIN AST` of that statement and refuses SETTINGS
 *   clauses wherever they are, every table function but a few that only generate data, and the
 *   functions that reach outside the database.
 *
 * `readonly=1` does not stop a SETTINGS clause inside a subquery: ClickHouse 26 (the embedded engine,
 * chdb 3.4) runs `SELECT * FROM (SELECT ... SETTINGS readonly = 0)` with readonly lifted for that
 * subquery (tests/clickhouse/sql.test.ts shows it), so these checks are not optional.
 *
 *   The embedded engine needs this: it always runs as its built-in `default` user, which holds every
 *   source grant (`SHOW GRANTS` there lists `SOURCES`, `FILE`, `URL`, ...), so `DESCRIBE url(...)`
 *   passes its access check (ClickHouse src/TableFunctions/ITableFunction.cpp,
 *   `getActualTableStructureWithAccess` checks only the source grant), and the `file()` function
 *   skips its path check in local mode (src/Functions/FunctionFile.cpp: `need_check =
 *   getApplicationType() != LOCAL`).
 */

export type GuardVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const READING_STATEMENTS = new Set(['SELECT', 'WITH', 'SHOW', 'DESCRIBE', 'DESC', 'EXISTS', '(']);

type TokenKind = 'word' | 'quoted-name' | 'string' | 'number' | 'symbol';

interface Token {
  /** Words upper-cased; every other token as written. */
  readonly text: string;
  readonly kind: TokenKind;
}

/**
 * ClickHouse's lexical classes, as far as a formatted statement needs them: bare words (keywords or
 * identifiers), back-quoted or double-quoted names, string literals, numbers, symbols.
 */
export function* sqlTokens(sql: string): Generator<Token> {
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i] as string;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "'" || ch === '"' || ch === '`') {
      const start = i++;
      while (i < sql.length && sql[i] !== ch) i += sql[i] === '\\' ? 2 : 1;
      i++;
      yield { text: sql.slice(start, i), kind: ch === "'" ? 'string' : 'quoted-name' };
    } else if (/[A-Za-z_]/.test(ch)) {
      const start = i;
      while (i < sql.length && /[A-Za-z0-9_]/.test(sql[i] as string)) i++;
      yield { text: sql.slice(start, i).toUpperCase(), kind: 'word' };
    } else if (/[0-9]/.test(ch)) {
      const start = i;
      while (i < sql.length && /[0-9A-Za-z_.]/.test(sql[i] as string)) i++;
      yield { text: sql.slice(start, i), kind: 'number' };
    } else {
      yield { text: ch, kind: 'symbol' };
      i++;
    }
  }
}

const isName = (token: Token | undefined) => token?.kind === 'word' || token?.kind === 'quoted-name';

/**
 * True when the word at `i` is the keyword and not a name: not part of a dotted name
 * (`system.settings`), not an alias (`AS settings`).
 */
function isKeywordAt(list: readonly Token[], i: number): boolean {
  const before = list[i - 1];
  return before?.text !== '.' && before?.text !== 'AS' && list[i + 1]?.text !== '.';
}

/** Checks a statement as formatted by ClickHouse; anything unexpected is refused, not guessed at. */
export function checkReadOnlyStatement(formatted: string): GuardVerdict {
  const list = [...sqlTokens(formatted)];
  const first = list[0];
  if (!first || !READING_STATEMENTS.has(first.text)) {
    return {
      ok: false,
      reason: `only reading statements (SELECT, WITH, SHOW, DESCRIBE, EXISTS) are allowed`,
    };
  }
  for (let i = 0; i < list.length; i++) {
    const token = list[i] as Token;
    if (token.kind === 'symbol' && token.text === '$') {
      return { ok: false, reason: 'heredoc literals ($$...$$) are not allowed' };
    }
    if (token.kind !== 'word' || !isKeywordAt(list, i)) continue;
    // A clause is the keyword followed by `name =`; `FROM settings`, `SELECT settings` are names.
    if (token.text === 'SETTINGS' && isName(list[i + 1]) && list[i + 2]?.text === '=') {
      return { ok: false, reason: 'SETTINGS clauses are not allowed' };
    }
    if (token.text === 'INTO' && list[i + 1]?.text === 'OUTFILE') {
      return { ok: false, reason: 'INTO OUTFILE is not allowed' };
    }
    // The clause ends the statement (before SETTINGS); `format(...)` and a column `format` are not it.
    const after = list[i + 2];
    if (token.text === 'FORMAT' && isName(list[i + 1]) && (!after || after.text === 'SETTINGS')) {
      return { ok: false, reason: 'a FORMAT clause is not allowed (use --format)' };
    }
  }
  return { ok: true };
}

/**
 * Table functions that only generate values; every other one reads files, URLs, other servers,
 * programs or dictionaries, and is refused. Names compare case-insensitively.
 */
const GENERATING_TABLE_FUNCTIONS = new Set([
  'numbers',
  'numbers_mt',
  'zeros',
  'zeros_mt',
  'generate_series',
  'generateseries',
  'values',
  'generaterandom',
]);

/**
 * Functions that reach outside the database: `file` reads any file the process can, `hasColumnInTable`
 * connects to another server when given one, `catboostEvaluate` loads a model file through the
 * library bridge. Names compare case-insensitively.
 */
const OUTSIDE_FUNCTIONS = new Set(['file', 'hascolumnintable', 'catboostevaluate', 'modelevaluate']);

interface AstLine {
  readonly depth: number;
  readonly text: string;
}

/**
 * Checks the engine's `EXPLAIN AST` of a statement: one node a line, indented one space a level,
 * functions as `Function <name>[ (alias a)][ (children n)]`, a table function as a `Function` right
 * under a `TableExpression`.
 */
export function checkSyntaxTree(explainAst: string): GuardVerdict {
  const lines: AstLine[] = explainAst
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => ({ depth: line.length - line.trimStart().length, text: line.trim() }));
  const parents: AstLine[] = [];
  for (const line of lines) {
    while (parents.length > 0 && (parents[parents.length - 1] as AstLine).depth >= line.depth) parents.pop();
    const parent = parents[parents.length - 1];
    parents.push(line);
    // A SETTINGS clause. The engine applies one inside a subquery even under readonly=1:
    // `SELECT * FROM (SELECT ... SETTINGS readonly = 0)` runs its subquery with readonly lifted.
    if (line.text === 'Set') return { ok: false, reason: 'SETTINGS clauses are not allowed' };
    const match = /^Function (\S+)/.exec(line.text);
    if (!match) continue;
    const name = (match[1] as string).replace(/^`|`$/g, '');
    const lower = name.toLowerCase();
    if (parent?.text.startsWith('TableExpression')) {
      if (!GENERATING_TABLE_FUNCTIONS.has(lower)) {
        return {
          ok: false,
          reason: `the table function ${name}() is not allowed: ad-hoc SQL reads the exporter's tables only`,
        };
      }
    } else if (OUTSIDE_FUNCTIONS.has(lower)) {
      return {
        ok: false,
        reason: `the function ${name}() is not allowed: ad-hoc SQL reads the exporter's tables only`,
      };
    }
  }
  return { ok: true };
}
