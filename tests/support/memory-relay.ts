import type { Event as NostrEvent } from 'nostr-tools/core';
import { type Filter, matchFilter, matchFilters } from 'nostr-tools/filter';
import type { WebSocket } from 'ws';
import { type RelayServer, relayHandle, serveRelay } from './relay-server.js';

/**
 * A fast in-memory relay for tests that only need NIP-01's REQ / EVENT / EOSE / CLOSE, after the mock relay
 * nostr-tools tests its own client against (nbd-wtf/nostr-tools v2.24.3, test-helpers.ts `MockRelay`): EVENT
 * is stored and answered OK, then sent to every open subscription whose filters match; REQ gets the stored
 * events its filters match, newest first and at most `limit` per filter, then EOSE, and stays open; CLOSE
 * ends a subscription. Unlike nostr-tools' (mock-socket in place of the WebSocket class) it listens on
 * 127.0.0.1, since the exporter opens real sockets.
 *
 * It checks neither ids nor signatures, keeps every event (no replaceable, expiry or deletion rules) and
 * has no limits: tests of how the exporter copes with a relay's rules use the real relay
 * (tests/support/relay.ts), as do the end-to-end tests.
 */
/** Stored events are kept across stop() and restart(). */
export interface MemoryRelay extends RelayServer {
  connectionCount(): number;
  /** Every event stored, in arrival order. */
  storedEvents(): NostrEvent[];
}

export async function startMemoryRelay(): Promise<MemoryRelay> {
  const events = new Map<string, NostrEvent>();
  /** Open subscriptions of each connection, by subscription id. */
  const connections = new Map<WebSocket, Map<string, Filter[]>>();

  const send = (socket: WebSocket, message: unknown[]): void => socket.send(JSON.stringify(message));

  const answer = (socket: WebSocket, subs: Map<string, Filter[]>, message: unknown[]): void => {
    const [type, first, ...rest] = message;
    if (type === 'EVENT' && typeof first === 'object' && first !== null) {
      const event = first as NostrEvent;
      const known = events.has(event.id);
      events.set(event.id, event);
      send(socket, ['OK', event.id, true, known ? 'duplicate: already have this event' : '']);
      if (known) return;
      for (const [other, otherSubs] of connections) {
        for (const [id, filters] of otherSubs)
          if (matchFilters(filters, event)) send(other, ['EVENT', id, event]);
      }
    } else if (type === 'REQ' && typeof first === 'string') {
      const filters = rest as Filter[];
      subs.set(first, filters);
      const newest = [...events.values()].sort(
        (a, b) => b.created_at - a.created_at || (a.id < b.id ? -1 : 1),
      );
      const sent = new Set<string>();
      for (const filter of filters) {
        const limit = filter.limit ?? Number.POSITIVE_INFINITY;
        let count = 0;
        for (const event of newest) {
          if (count >= limit) break;
          if (!matchFilter(filter, event)) continue;
          count++;
          if (sent.has(event.id)) continue;
          sent.add(event.id);
          send(socket, ['EVENT', first, event]);
        }
      }
      send(socket, ['EOSE', first]);
    } else if (type === 'CLOSE' && typeof first === 'string') {
      subs.delete(first);
    } else {
      send(socket, ['NOTICE', 'invalid: unknown message']);
    }
  };

  const server = await serveRelay({
    request: (_req, res) => res.writeHead(404).end(),
    connection: (socket) => {
      const subs = new Map<string, Filter[]>();
      connections.set(socket, subs);
      socket.on('message', (data) => {
        let message: unknown;
        try {
          message = JSON.parse(String(data));
        } catch {
          send(socket, ['NOTICE', 'invalid: not JSON']);
          return;
        }
        if (Array.isArray(message)) answer(socket, subs, message);
        else send(socket, ['NOTICE', 'invalid: not an array']);
      });
      socket.on('error', () => {});
      socket.on('close', () => connections.delete(socket));
    },
    onStop: () => {
      for (const socket of connections.keys()) socket.terminate();
    },
  });

  return relayHandle(server, {
    connectionCount: () => connections.size,
    storedEvents: () => [...events.values()],
  });
}
