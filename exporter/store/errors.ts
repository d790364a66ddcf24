/**
 * ClickHouse errors from either engine. The server client throws clickhouse-js `ClickHouseError`
 * (`code` is the numeric code as a string), the embedded engine throws chdb errors (`code` such as
 * `CHDB_QUERY`, the numeric code in `clickhouseCode`), sometimes wrapped in one another through
 * `cause`. So errors are read by their fields, never by `instanceof`.
 */

/** A store problem the user can act on: the CLI prints its message alone. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
}

/** The numeric ClickHouse error code carried by an error or any error in its cause chain. */
export function clickhouseCodeOf(error: unknown): number | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const fields = current as { code?: unknown; clickhouseCode?: unknown; cause?: unknown };
    if (typeof fields.clickhouseCode === 'number') return fields.clickhouseCode;
    if (typeof fields.code === 'string' && /^\d+$/.test(fields.code)) return Number(fields.code);
    current = fields.cause;
  }
  return null;
}

/**
 * Codes that mean "these rows can never be inserted as they are": a retry would fail the same way,
 * so the batch is split to find and drop (and count) the offending rows instead. Names and numbers
 * from ClickHouse's src/Common/ErrorCodes.cpp.
 */
const DATA_ERROR_CODES = new Map<number, RowRefusal>([
  [6, 'unparsable'], // CANNOT_PARSE_TEXT
  [25, 'bad_escape'], // CANNOT_PARSE_ESCAPE_SEQUENCE (a lone surrogate among them)
  [26, 'unparsable'], // CANNOT_PARSE_QUOTED_STRING
  [27, 'unparsable'], // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  [38, 'unparsable'], // CANNOT_PARSE_DATE
  [41, 'unparsable'], // CANNOT_PARSE_DATETIME
  [53, 'type_mismatch'], // TYPE_MISMATCH
  [69, 'out_of_range'], // ARGUMENT_OUT_OF_BOUND
  [70, 'type_mismatch'], // CANNOT_CONVERT_TYPE
  [72, 'unparsable'], // CANNOT_PARSE_NUMBER
  [117, 'unparsable'], // INCORRECT_DATA
  [128, 'too_large'], // TOO_LARGE_ARRAY_SIZE
  [131, 'too_large'], // TOO_LARGE_STRING_SIZE
  [306, 'too_large'], // TOO_DEEP_RECURSION
  [321, 'out_of_range'], // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
  [349, 'type_mismatch'], // CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
]);

/** Why the engine refused a row, from its error code. */
export const ROW_REFUSALS = [
  'unparsable',
  'bad_escape',
  'type_mismatch',
  'out_of_range',
  'too_large',
] as const;
export type RowRefusal = (typeof ROW_REFUSALS)[number];

/** The refusal a data error stands for, or null when the rows are not (known to be) at fault. */
export function rowRefusalOf(error: unknown): RowRefusal | null {
  const code = clickhouseCodeOf(error);
  return code === null ? null : (DATA_ERROR_CODES.get(code) ?? null);
}

/** True when the rows themselves are at fault; every other failure is retried. */
export function isDataError(error: unknown): boolean {
  return rowRefusalOf(error) !== null;
}

/** One line for logs and HTTP answers: the engine's message without its stack trace. */
export function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]?.trim() || 'unknown error';
}
