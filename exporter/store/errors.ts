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
 * so the batch is split to find and drop (and count) the offending rows instead.
 */
const DATA_ERROR_CODES = new Set([
  6, // CANNOT_PARSE_TEXT
  26, // CANNOT_PARSE_QUOTED_STRING
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  53, // TYPE_MISMATCH
  69, // ARGUMENT_OUT_OF_BOUND
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  117, // INCORRECT_DATA
  131, // TOO_LARGE_STRING_SIZE
  321, // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
]);

/** True when the rows themselves are at fault; every other failure is retried. */
export function isDataError(error: unknown): boolean {
  const code = clickhouseCodeOf(error);
  return code !== null && DATA_ERROR_CODES.has(code);
}

/** One line for logs and HTTP answers: the engine's message without its stack trace. */
export function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]?.trim() || 'unknown error';
}
