/**
 * Makes a row's strings well-formed UTF-16 before they travel to the engine as JSON.
 *
 * Any JS string is legal in a signed event, lone surrogates included (`"\ud800"`). JSON.stringify
 * writes one as the escape `\ud800`, and ClickHouse's JSON input refuses a high surrogate without its
 * low half (code 25, "missing second part of surrogate pair"; tests/clickhouse/hostile-rows.test.ts
 * shows it on the real engine), failing the whole insert. A UTF-8 column cannot hold a lone surrogate anyway, so each one becomes U+FFFD, as
 * TextEncoder would encode it; the row is counted (`rows_altered_total{reason="lone_surrogate"}`). The
 * `sig` and `id` columns are hex and never change, so the row still names the exact signed event.
 */

/** A copy of `row` with every lone surrogate replaced, or null when the row is already well-formed. */
export function wellFormedRow<T extends object>(row: T): T | null {
  let copy: Record<string, unknown> | null = null;
  for (const [key, value] of Object.entries(row)) {
    const fixed = wellFormedValue(value);
    if (fixed === undefined) continue;
    copy ??= { ...(row as Record<string, unknown>) };
    copy[key] = fixed;
  }
  return copy as unknown as T | null;
}

/** The well-formed form of a string or (nested) string array, or undefined when nothing changes. */
function wellFormedValue(value: unknown): unknown {
  if (typeof value === 'string') return value.isWellFormed() ? undefined : value.toWellFormed();
  if (!Array.isArray(value)) return undefined;
  let copy: unknown[] | null = null;
  for (let i = 0; i < value.length; i++) {
    const fixed = wellFormedValue(value[i]);
    if (fixed === undefined) continue;
    copy ??= [...value];
    copy[i] = fixed;
  }
  return copy ?? undefined;
}
