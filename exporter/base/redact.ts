/**
 * The one place that decides how a URL, or text that may hold one, is shown: logs at every level, metric
 * labels, `/api/relays`, store rows, the cursor file, `check-config`, error messages. Only the socket or
 * client that connects sees a URL as configured.
 *
 * What is masked, in every URL:
 * - the userinfo: `user:pass@` becomes `user:***@`, a user-only token `token@` becomes `***@`. The userinfo
 *   ends at the LAST `@` before the host, as WHATWG URL parsing decides it (a password may contain `@`);
 * - every query value (`?token=abc` becomes `?token=***`, a bare `?abc` becomes `?***`): relays and
 *   collectors take tokens under any name (`token`, `auth`, `key`, `apikey`, `access_token`, ...);
 * - a fragment.
 * Scheme, host, port and path are kept byte for byte, so a URL without secrets is shown exactly as given
 * (label values and cursor keys stay stable).
 */

export const MASK = '***';

// WHATWG URL (https://url.spec.whatwg.org/#authority-state): the authority ends at the first `/`, `?`,
// `#` (or `\` for special schemes: ws, wss, http, https); an `@` inside it ends the userinfo, the last one
// winning. Leading/trailing C0 controls and spaces are trimmed and tabs/newlines removed before parsing.
const AUTHORITY_END = /[/?#\\]/;

/** A URL as it may be shown. Text that does not parse as a URL is masked whole after its scheme. */
export function redactUrl(raw: string): string {
  const url = trimC0AndSpace(raw).replace(/[\t\n\r]/g, '');
  const schemeEnd = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.exec(url)?.[0].length;
  if (schemeEnd === undefined || !URL.canParse(url)) {
    const scheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:/.exec(url)?.[0];
    return scheme ? `${scheme}//${MASK}` : MASK;
  }
  return maskParts(url, schemeEnd);
}

function trimC0AndSpace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) <= 0x20) start++;
  while (end > start && text.charCodeAt(end - 1) <= 0x20) end--;
  return text.slice(start, end);
}

function maskParts(url: string, schemeEnd: number): string {
  const rest = url.slice(schemeEnd);
  const end = rest.search(AUTHORITY_END);
  const authority = end === -1 ? rest : rest.slice(0, end);
  let tail = end === -1 ? '' : rest.slice(end);
  const at = authority.lastIndexOf('@');
  const host = at === -1 ? authority : authority.slice(at + 1);
  let userinfo = '';
  if (at !== -1) {
    const userPart = authority.slice(0, at);
    const colon = userPart.indexOf(':');
    userinfo = colon === -1 ? `${MASK}@` : `${userPart.slice(0, colon)}:${MASK}@`;
  }
  const hash = tail.indexOf('#');
  const fragment = hash === -1 ? '' : tail.length > hash + 1 ? `#${MASK}` : '#';
  if (hash !== -1) tail = tail.slice(0, hash);
  const question = tail.indexOf('?');
  const query = question === -1 ? '' : maskQuery(tail.slice(question + 1));
  const path = question === -1 ? tail : tail.slice(0, question);
  return `${url.slice(0, schemeEnd)}${userinfo}${host}${path}${question === -1 ? '' : `?${query}`}${fragment}`;
}

function maskQuery(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      if (pair === '') return pair;
      const eq = pair.indexOf('=');
      return eq === -1 ? MASK : `${pair.slice(0, eq)}=${MASK}`;
    })
    .join('&');
}

/**
 * The secret strings a URL carries (userinfo parts, query values, fragment), raw and decoded, for
 * scrubbing them from text that is not a URL (a relay's NOTICE echoing its token, an error message).
 */
export function urlSecrets(raw: string): string[] {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return [];
  }
  const parts: string[] = [];
  if (url.password) parts.push(url.username, url.password);
  else if (url.username) parts.push(url.username);
  for (const [, value] of url.searchParams) parts.push(value);
  for (const pair of url.search.slice(1).split('&')) parts.push(pair.slice(pair.indexOf('=') + 1));
  if (url.hash.length > 1) parts.push(url.hash.slice(1));
  // A user name next to a password is not a secret by itself (and is shown), but keep it out of the
  // literal list only when it is the user of a user:pass pair.
  const secret = url.password ? parts.slice(1) : parts;
  return variants(secret);
}

/** A secret as it may appear: raw, percent-decoded, percent-encoded, JSON-escaped. */
export function variants(secrets: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const secret of secrets) {
    if (secret === '') continue;
    out.add(secret);
    try {
      out.add(decodeURIComponent(secret));
    } catch {
      // not percent-encoded text
    }
    out.add(encodeURIComponent(secret));
    for (const form of [...out]) out.add(JSON.stringify(form).slice(1, -1));
  }
  return [...out];
}

/** Secrets shorter than this are not scrubbed literally (they would mangle ordinary text). */
const MIN_LITERAL_SECRET = 4;

// A URL inside free text: up to whitespace, a quote, `<`, `>` or a backslash (JSON escapes).
const URL_IN_TEXT = /[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\s"'<>\\`]+/g;

/**
 * Text as it may be shown: every URL in it redacted (as `redactUrl`), then every known secret string
 * replaced by the mask. Safe on JSON text: nothing it writes needs escaping.
 */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(URL_IN_TEXT, (match) => {
    const schemeEnd = match.indexOf('://') + 3;
    return maskParts(match, schemeEnd);
  });
  for (const secret of secrets) {
    if (secret.length >= MIN_LITERAL_SECRET && out.includes(secret)) out = out.split(secret).join(MASK);
  }
  return out;
}

/** Longest first, so a secret that contains another is masked whole. */
export function secretList(secrets: Iterable<string>): string[] {
  return [...new Set(secrets)]
    .filter((s) => s.length >= MIN_LITERAL_SECRET)
    .sort((a, b) => b.length - a.length);
}
