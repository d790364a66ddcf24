import type { Event } from 'nostr-tools/core';
import { unwrapEvent } from 'nostr-tools/nip17';

/** The kind 14 messages in `events` (gift wraps, kind 1059) that `secretKey` can open, oldest first. */
export function openDirectMessages(events: readonly Event[], secretKey: Uint8Array) {
  const opened = [];
  for (const event of events) {
    if (event.kind !== 1059) continue;
    try {
      opened.push({ wrap: event, rumor: unwrapEvent(event, secretKey) });
    } catch {
      // addressed to someone else
    }
  }
  return opened.sort((a, b) => a.rumor.created_at - b.rumor.created_at);
}
