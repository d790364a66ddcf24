/** Small readers over NIP-01 tag arrays. Tags are untrusted: every element may be missing. */

export type Tag = readonly string[];
export type Tags = readonly Tag[];

export function firstTag(tags: Tags, name: string): Tag | undefined {
  for (const tag of tags) if (tag[0] === name) return tag;
  return undefined;
}

export function tagsNamed(tags: Tags, name: string): Tag[] {
  return tags.filter((tag) => tag[0] === name);
}

export function hasTag(tags: Tags, name: string): boolean {
  return firstTag(tags, name) !== undefined;
}

/** tag[1] of the first tag with this name, when present and non-empty. */
export function firstValue(tags: Tags, name: string): string | null {
  const value = firstTag(tags, name)?.[1];
  return value ? value : null;
}

/** tag[1] of every tag with this name, mapped and filtered (null drops the value), without repeats. */
export function uniqueValues<T>(
  tags: Tags,
  name: string,
  read: (value: string | undefined) => T | null,
): T[] {
  const seen = new Set<T>();
  for (const tag of tags) {
    if (tag[0] !== name) continue;
    const value = read(tag[1]);
    if (value !== null) seen.add(value);
  }
  return [...seen];
}

/** The first tag[1] with this name that `read` accepts (non-null). */
export function firstMapped<T>(
  tags: Tags,
  name: string,
  read: (value: string | undefined) => T | null,
): T | null {
  for (const tag of tags) {
    if (tag[0] !== name) continue;
    const value = read(tag[1]);
    if (value !== null) return value;
  }
  return null;
}

const DECIMAL = /^\d+$/;

/** A plain non-negative decimal integer of safe size ("21000"), else null ("100_000", "1e3", "-1", ""). */
export function parseDecimal(value: string | undefined): number | null {
  if (value === undefined || !DECIMAL.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}

/** A nonempty string, or null (tags often carry "" where a value was optional). */
export function nonEmpty(value: string | undefined): string | null {
  return value ? value : null;
}
