/**
 * Text from events or relays as it may be shown to people (label values, names in `/api/relays`): one
 * line, no control characters, no invisible formatting, bounded length. Hostile text uses these to
 * mislead: a right-to-left override (U+202E) makes a name read backwards, zero-width characters make
 * two names that look the same differ (or one that differs look the same), control characters break
 * lines and terminals.
 *
 * - C0/C1 controls and line or paragraph separators become a space, then runs of whitespace collapse;
 * - format characters (Unicode category Cf: bidi embeddings, overrides, isolates and marks, zero-width
 *   space/joiners, word joiner, BOM, soft hyphen, ...) are removed;
 * - lone surrogates (not encodable as UTF-8) become U+FFFD;
 * - more than `maxChars` code points are cut, ending with `…`.
 * Null when nothing visible is left.
 */
export function displayText(raw: string, maxChars: number): string | null {
  const flat = raw
    .replace(LONE_SURROGATE, '\uFFFD')
    .replace(/[\p{Cc}\u2028\u2029]/gu, ' ')
    .replace(/\p{Cf}/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (flat === '') return null;
  const chars = [...flat];
  return chars.length > maxChars ? `${chars.slice(0, maxChars - 1).join('')}…` : flat;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
