import type { SqlAnswer } from './readonly-sql.js';

/** How `dvm-exporter sql` prints an answer. */
export const ANSWER_FORMATS = ['table', 'json', 'csv'] as const;
export type AnswerFormat = (typeof ANSWER_FORMATS)[number];

export function formatAnswer(answer: SqlAnswer, format: AnswerFormat): string {
  switch (format) {
    case 'json':
      return answer.rows.map((row) => `${jsonObject(answer, row)}\n`).join('');
    case 'csv':
      return [answer.columns.map((c) => c.name), ...answer.rows.map((row) => row.map(csvText))]
        .map((fields) => `${fields.map(csvField).join(',')}\n`)
        .join('');
    case 'table':
      return table(answer);
  }
}

/** One object per row, keys in column order (even names that look like numbers). */
function jsonObject(answer: SqlAnswer, row: readonly unknown[]): string {
  const fields = answer.columns.map(
    (column, i) => `${JSON.stringify(column.name)}:${JSON.stringify(row[i] ?? null)}`,
  );
  return `{${fields.join(',')}}`;
}

function csvText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const MAX_CELL = 80;
const NUMERIC = /^(Nullable\()?(U?Int\d+|Float\d+|Decimal)/;

function cellText(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  const flat = text.replace(/[\r\n\t]/g, ' ');
  return flat.length > MAX_CELL ? `${flat.slice(0, MAX_CELL - 1)}…` : flat;
}

function table(answer: SqlAnswer): string {
  const header = answer.columns.map((c) => c.name);
  const cells = answer.rows.map((row) => answer.columns.map((_, i) => cellText(row[i])));
  const widths = header.map((name, i) => Math.max(name.length, ...cells.map((row) => (row[i] ?? '').length)));
  const right = answer.columns.map((c) => NUMERIC.test(c.type));
  const line = (fields: readonly string[]) =>
    fields
      .map((field, i) => (right[i] ? field.padStart(widths[i] ?? 0) : field.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const count = `(${answer.rows.length} row${answer.rows.length === 1 ? '' : 's'})`;
  return `${[line(header), rule, ...cells.map(line), count].join('\n')}\n`;
}
