import type { Event } from 'nostr-tools/core';
import type { Clock } from '../base/clock.js';

/**
 * A recipient's preferred relays for direct messages: the `relay` tags of their newest kind 10050 event
 * (NIP-17), looked up on the notification relays and remembered for an hour. Anyone can publish anything
 * there, so only well-formed ws(s) URLs are taken, at most MAX_DM_RELAYS of them.
 */

export const DM_RELAY_LIST_KIND = 10050;
export const MAX_DM_RELAYS = 8;
const CACHE_SECONDS = 3_600;
const RELAY_URL = /^wss?:\/\/[^\s/?#]+(\/[^\s]*)?$/;

export type QueryFn = (
  relays: readonly string[],
  filter: { kinds: number[]; authors: string[] },
) => Promise<Event[]>;

export function dmRelaysOf(events: readonly Event[]): string[] {
  const newest = [...events].sort((a, b) => b.created_at - a.created_at)[0];
  if (!newest) return [];
  const urls = newest.tags
    .filter(
      (tag) =>
        tag[0] === 'relay' && typeof tag[1] === 'string' && tag[1].length <= 256 && RELAY_URL.test(tag[1]),
    )
    .map((tag) => tag[1] as string);
  return [...new Set(urls)].slice(0, MAX_DM_RELAYS);
}

export class DmRelayDirectory {
  private readonly cache = new Map<string, { relays: string[]; at: number }>();

  constructor(
    private readonly query: QueryFn,
    private readonly lookupRelays: readonly string[],
    private readonly clock: Clock,
  ) {}

  /** The recipient's DM relays; empty when they published none or the lookup failed (then asked again later). */
  async relaysOf(recipient: string): Promise<string[]> {
    const cached = this.cache.get(recipient);
    if (cached && this.clock.now() - cached.at < CACHE_SECONDS) return cached.relays;
    let relays: string[];
    try {
      relays = dmRelaysOf(
        (await this.query(this.lookupRelays, { kinds: [DM_RELAY_LIST_KIND], authors: [recipient] })).filter(
          (e) => e.kind === DM_RELAY_LIST_KIND && e.pubkey === recipient,
        ),
      );
    } catch {
      return cached?.relays ?? [];
    }
    this.cache.set(recipient, { relays, at: this.clock.now() });
    return relays;
  }
}
