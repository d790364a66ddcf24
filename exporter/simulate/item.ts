import type { Role } from '../model/dvm-event.js';
import type { NostrEvent } from '../model/nostr-event.js';
import type { RejectReason } from '../model/reasons.js';

/** What a correct exporter does with an item: lets tests check outcomes without re-deriving them. */
export type SimExpectation =
  | { readonly outcome: 'accepted'; readonly role: Role }
  /** The same event again, byte for byte, as a second relay would deliver it. */
  | { readonly outcome: 'duplicate' }
  | { readonly outcome: 'rejected'; readonly reason: RejectReason };

export type NostrEventLike = NostrEvent;

export interface SimulatedItem {
  /** When to publish it (unix seconds); equals created_at except for late or repeated deliveries. */
  readonly at: number;
  /**
   * The event. Malformed items may be anything: a JSON value that is not an event, or the raw text
   * of a line that is not JSON at all.
   */
  readonly event: NostrEventLike | unknown;
  /** The JSON Lines line, without the newline. */
  readonly line: string;
  readonly expect: SimExpectation;
  /** A short label of what the item is, e.g. `feedback.payment-required`, `malformed.bad_sig`. */
  readonly note: string;
}

export function eventItem(event: NostrEvent, role: Role, note: string, at = event.created_at): SimulatedItem {
  return { at, event, line: JSON.stringify(event), expect: { outcome: 'accepted', role }, note };
}
