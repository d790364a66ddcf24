/**
 * The statement check behind ad-hoc SQL. It runs on the text ClickHouse's own parser produced
 * (`formatQuerySingleLine`), which is known to be exactly one well-formed statement with comments
 * removed and literals re-quoted, so a small scan is enough to find what `readonly=1` does not stop:
 *
 * - `SETTINGS` clauses: ClickHouse applies a subquery's SETTINGS even in readonly mode, which would
 *   lift `readonly` itself and the time and row limits;
 * - `INTO OUTFILE` (writes a file from the engine's process) and `FORMAT` (breaks the answer's shape).
 *
 * Only reading statements are let through.
 */

export type GuardVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const READING_STATEMENTS = new Set(['SELECT', 'WITH', 'SHOW', 'DESCRIBE', 'DESC', 'EXISTS', '(']);

interface Token {
  readonly text: string;
  /** Identifier-like words are compared upper-cased; literals and quoted names are never words. */
  readonly word: boolean;
}

function* tokens(sql: string): Generator<Token> {
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i] as string;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "'" || ch === '"' || ch === '`') {
      const start = i++;
      while (i < sql.length && sql[i] !== ch) i += sql[i] === '\\' ? 2 : 1;
      i++;
      yield { text: sql.slice(start, i), word: false };
    } else if (/[A-Za-z_]/.test(ch)) {
      const start = i;
      while (i < sql.length && /[A-Za-z0-9_]/.test(sql[i] as string)) i++;
      yield { text: sql.slice(start, i).toUpperCase(), word: true };
    } else {
      yield { text: ch, word: false };
      i++;
    }
  }
}

/** Checks a statement as formatted by ClickHouse; anything unexpected is refused, not guessed at. */
export function checkReadOnlyStatement(formatted: string): GuardVerdict {
  const list = [...tokens(formatted)];
  const first = list[0];
  if (!first || !READING_STATEMENTS.has(first.text)) {
    return {
      ok: false,
      reason: `only reading statements (SELECT, WITH, SHOW, DESCRIBE, EXISTS) are allowed`,
    };
  }
  for (let i = 0; i < list.length; i++) {
    const token = list[i] as Token;
    if (!token.word) {
      if (token.text === '$') return { ok: false, reason: 'heredoc literals ($$...$$) are not allowed' };
      continue;
    }
    if (token.text === 'SETTINGS') return { ok: false, reason: 'SETTINGS clauses are not allowed' };
    if (token.text === 'OUTFILE') return { ok: false, reason: 'INTO OUTFILE is not allowed' };
    if (token.text === 'FORMAT' && list[i + 1]?.text !== '(') {
      return { ok: false, reason: 'a FORMAT clause is not allowed (use --format)' };
    }
  }
  return { ok: true };
}
