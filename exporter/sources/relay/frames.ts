/**
 * Relay-to-client frames (NIP-01) read from the raw text of one websocket message. Pure; never throws:
 * a frame that is not understood comes back as `unreadable` (not JSON) or `invalid` (JSON, but not a
 * frame this client knows).
 */

export type RelayFrame =
  | { readonly type: 'EVENT'; readonly subId: string; readonly event: unknown; readonly eventBytes: number }
  | { readonly type: 'EOSE'; readonly subId: string }
  | { readonly type: 'CLOSED'; readonly subId: string; readonly message: string }
  | { readonly type: 'NOTICE'; readonly message: string }
  | { readonly type: 'OK'; readonly eventId: string; readonly accepted: boolean; readonly message: string }
  | { readonly type: 'AUTH'; readonly challenge: string }
  | { readonly type: 'unreadable'; readonly detail: string }
  | { readonly type: 'invalid'; readonly detail: string };

/**
 * Bytes a frame adds around its event: `["EVENT","<sub>",` and `]` (or `["EVENT",` and `]` in the form
 * clients publish). The event's own size is the frame's size minus this; the relay's serialization is
 * what arrived, so that is the size that counts, whether the event came bare or framed.
 */
export function eventFrameOverhead(subId: string | null): number {
  if (subId === null) return '["EVENT",]'.length;
  return Buffer.byteLength(JSON.stringify(subId), 'utf8') + '["EVENT",,]'.length;
}

/** Reads one frame. `frameBytes` is the message's size on the wire (after decompression). */
export function parseRelayFrame(text: string, frameBytes: number): RelayFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { type: 'unreadable', detail: `frame is not valid JSON: ${(err as Error).message}` };
  }
  if (!Array.isArray(value) || typeof value[0] !== 'string') {
    return { type: 'invalid', detail: 'frame is not a JSON array starting with a message type' };
  }
  const [type, a, b, c] = value as unknown[];
  switch (type) {
    case 'EVENT':
      if (typeof a !== 'string') return { type: 'invalid', detail: 'EVENT frame without a subscription id' };
      return {
        type: 'EVENT',
        subId: a,
        event: b,
        eventBytes: Math.max(0, frameBytes - eventFrameOverhead(a)),
      };
    case 'EOSE':
      if (typeof a !== 'string') return { type: 'invalid', detail: 'EOSE frame without a subscription id' };
      return { type: 'EOSE', subId: a };
    case 'CLOSED':
      if (typeof a !== 'string') return { type: 'invalid', detail: 'CLOSED frame without a subscription id' };
      return { type: 'CLOSED', subId: a, message: typeof b === 'string' ? b : '' };
    case 'NOTICE':
      return { type: 'NOTICE', message: typeof a === 'string' ? a : String(a) };
    case 'OK':
      return {
        type: 'OK',
        eventId: String(a),
        accepted: b === true,
        message: typeof c === 'string' ? c : '',
      };
    case 'AUTH':
      return { type: 'AUTH', challenge: typeof a === 'string' ? a : '' };
    default:
      return { type: 'invalid', detail: `unknown message type ${JSON.stringify(type).slice(0, 40)}` };
  }
}

/** created_at of a frame's event when it is a plausible timestamp; null otherwise. */
export function createdAtOf(event: unknown): number | null {
  if (typeof event !== 'object' || event === null) return null;
  const value = (event as { created_at?: unknown }).created_at;
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

/**
 * Machine-readable prefixes relays put on CLOSED and OK messages (NIP-01), used as a bounded metric label.
 * NOTICE has no such convention, but relays often reuse these words there too.
 */
export const REFUSAL_REASONS = [
  'auth-required',
  'rate-limited',
  'restricted',
  'invalid',
  'error',
  'blocked',
  'pow',
  'duplicate',
  'unsupported',
  'other',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

const PREFIXES: ReadonlySet<string> = new Set(REFUSAL_REASONS.filter((r) => r !== 'other'));

export function refusalReason(message: string): RefusalReason {
  const colon = message.indexOf(':');
  if (colon <= 0) return 'other';
  const prefix = message.slice(0, colon).trim().toLowerCase();
  return PREFIXES.has(prefix) ? (prefix as RefusalReason) : 'other';
}
