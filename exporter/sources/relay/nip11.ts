import querystring from 'node:querystring';
import { displayText } from '../../base/display-text.js';

/**
 * NIP-11 relay information: the limits a relay advertises about itself. Fetched over http(s) from the
 * relay's own URL with `Accept: application/nostr+json`; many relays offer none, so every failure is just
 * "not offered" and the configured limits apply.
 */

export interface RelayLimitation {
  readonly maxSubscriptions: number | null;
  readonly maxFilters: number | null;
  readonly maxLimit: number | null;
  readonly maxMessageLength: number | null;
  readonly authRequired: boolean;
  readonly paymentRequired: boolean;
}

export interface RelayInfo {
  readonly name: string | null;
  readonly software: string | null;
  readonly limitation: RelayLimitation;
}

export type Nip11Result =
  | { readonly ok: true; readonly info: RelayInfo }
  | { readonly ok: false; readonly detail: string };

/** ws://host/path -> http://host/path, wss:// -> https://. */
export function infoUrl(relayUrl: string): string {
  return relayUrl.replace(/^ws(s?):\/\//i, 'http$1://');
}

/**
 * The NIP-11 request for a relay: its URL without userinfo (fetch refuses URLs with credentials) and the
 * same credentials as HTTP Basic auth, decoded as the websocket client decodes them for the handshake
 * (ws 8.23.0 lib/websocket.js initAsClient: `querystring.unescape` of username and password), so the
 * relay sees one identity on both. Query tokens stay in the URL, as on the socket.
 */
export function infoRequest(relayUrl: string): { url: string; headers: Record<string, string> } {
  const url = new URL(infoUrl(relayUrl));
  const headers: Record<string, string> = { accept: 'application/nostr+json' };
  if (url.username || url.password) {
    const user = querystring.unescape(url.username);
    const pass = querystring.unescape(url.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  return { url: url.href, headers };
}

/** Largest response read: NIP-11 documents are small; a huge one is not worth the memory. */
const MAX_INFO_BYTES = 64 * 1024;

export async function fetchRelayInfo(relayUrl: string, timeoutMs: number): Promise<Nip11Result> {
  try {
    const request = infoRequest(relayUrl);
    const response = await fetch(request.url, {
      headers: request.headers,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'follow',
    });
    if (!response.ok) return { ok: false, detail: `HTTP ${response.status}` };
    const text = await response.text();
    if (text.length > MAX_INFO_BYTES)
      return { ok: false, detail: `document larger than ${MAX_INFO_BYTES} bytes` };
    return parseRelayInfo(text);
  } catch (err) {
    return { ok: false, detail: err instanceof Error ? err.message : String(err) };
  }
}

export function parseRelayInfo(text: string): Nip11Result {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, detail: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, detail: 'not a JSON object' };
  const doc = value as Record<string, unknown>;
  const lim = (typeof doc.limitation === 'object' && doc.limitation !== null ? doc.limitation : {}) as Record<
    string,
    unknown
  >;
  return {
    ok: true,
    info: {
      name: typeof doc.name === 'string' ? displayText(doc.name, 200) : null,
      software: typeof doc.software === 'string' ? displayText(doc.software, 200) : null,
      limitation: {
        maxSubscriptions: positiveInt(lim.max_subscriptions),
        maxFilters: positiveInt(lim.max_filters),
        maxLimit: positiveInt(lim.max_limit),
        maxMessageLength: positiveInt(lim.max_message_length),
        authRequired: lim.auth_required === true,
        paymentRequired: lim.payment_required === true,
      },
    },
  };
}

function positiveInt(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : null;
}
