import type { IncomingHttpHeaders } from 'node:http';
import {
  type Client,
  type ClientContext,
  type Event,
  EventUtils,
  type Filter,
  type HandleMessagePlugin,
  type HandleMessageResult,
  type IncomingMessage,
  type Logger,
} from '@nostr-relay/common';
import { NostrRelay } from '@nostr-relay/core';
import { EventRepositorySqlite } from '@nostr-relay/event-repository-sqlite';
import { Validator, type ValidatorOptions } from '@nostr-relay/validator';
import { initNostrWasm } from 'nostr-wasm';
import type { WebSocket } from 'ws';
import { type RelayServer, relayHandle, serveRelay } from './relay-server.js';

// The relay checks signatures with pure-JS noble (about 50-300 a second on these machines), which would
// make the relay, not the code under test, the bottleneck. libsecp256k1 gives the same verdicts ~10x
// faster. The relay still checks the id first, with its own code.
const secp = await initNostrWasm();
EventUtils.isSigValid = (event: Event): boolean => {
  try {
    secp.verifyEvent(event);
    return true;
  } catch {
    return false;
  }
};

/**
 * A real Nostr relay for tests, in-process on 127.0.0.1: @nostr-relay/core with an in-memory SQLite
 * store and the zod validator, served over `ws`.
 *
 * It behaves like a small public relay: it verifies ids and signatures (signatures with libsecp256k1, see
 * below), refuses NIP-40-expired events,
 * keeps only the newest replaceable (11998) and addressable (31990, 31989) event per key, and applies
 * kind 5 deletions from the author instead of storing them. A REQ without `limit` returns the newest
 * 100 events; with one, at most 1000 (the SQLite repository's defaults).
 *
 * Beyond start and stop, it can misbehave on purpose: drop every connection, go silent on an open
 * socket (no reads, no pongs, no replies), or send raw frames (garbage, NOTICE, CLOSED) to clients.
 */
export interface TestRelayOptions {
  /** Port to listen on; 0 (the default) picks a free one, kept across restarts. */
  readonly port?: number;
  /** Limits of the relay's message validator (filters per REQ, kinds per filter, tag and content sizes). */
  readonly validator?: ValidatorOptions;
  /** Caps the events one REQ filter returns, whatever its `limit` asks for (a relay that pages). */
  readonly maxResultsPerFilter?: number;
  /** Open subscriptions per connection before the oldest is dropped (relay default 20). */
  readonly maxSubscriptionsPerClient?: number;
  /** A NIP-11 document served to `Accept: application/nostr+json` requests; none (HTTP 404) when absent. */
  readonly info?: Readonly<Record<string, unknown>>;
}

/** An HTTP request the relay received: a websocket upgrade or a NIP-11 document request. */
export interface ObservedHttpRequest {
  readonly kind: 'upgrade' | 'info';
  /** Path and query, as sent. */
  readonly path: string;
  readonly authorization: string | null;
}

export interface ObservedReq {
  readonly subscriptionId: string;
  readonly filters: readonly Filter[];
}

/** Stored events are kept across stop() and restart(). */
export interface TestRelay extends RelayServer {
  /** Drops every open connection abruptly (no close frame) but keeps listening. */
  dropConnections(): void;
  /** Open connections now stop being read or answered, without being closed: a silently dead socket. */
  silence(): void;
  /** Sends a raw text frame to every open connection. */
  sendRaw(frame: string): void;
  connectionCount(): number;
  /** REQ messages received so far (the most recent 1000), to check how clients split subscriptions. */
  readonly reqs: readonly ObservedReq[];
  /** Every event currently stored, oldest first, read straight from the store (no REQ limits). */
  storedEvents(): Event[];
  /** Upgrades and NIP-11 requests received so far (the most recent 1000), with their credentials. */
  readonly httpRequests: readonly ObservedHttpRequest[];
}

const silentLogger: Logger = {
  setLogLevel: () => {},
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

/** Rewrites each REQ filter's limit so no filter returns more than `cap` events. */
class ResultCap implements HandleMessagePlugin {
  constructor(private readonly cap: number) {}

  handleMessage(
    _ctx: ClientContext,
    message: IncomingMessage,
    next: () => Promise<HandleMessageResult>,
  ): Promise<HandleMessageResult> {
    if (message[0] === 'REQ') {
      const [, , ...filters] = message;
      for (const filter of filters) filter.limit = Math.min(filter.limit ?? this.cap, this.cap);
    }
    return next();
  }
}

interface Connection {
  readonly socket: WebSocket;
  /** What the relay core talks to: sends are dropped once the connection is silenced. */
  readonly client: Client;
  silenced: boolean;
}

export async function startTestRelay(options: TestRelayOptions = {}): Promise<TestRelay> {
  const repository = new EventRepositorySqlite(':memory:');
  await repository.init();
  const relay = new NostrRelay(repository, {
    logger: silentLogger,
    maxSubscriptionsPerClient: options.maxSubscriptionsPerClient,
    // The core caches REQ results for a second and OK results for ten minutes by default; a test that
    // publishes and reads back at once would see stale answers, and a re-sent event would not be
    // reported as a duplicate.
    filterResultCacheTtl: 0,
    eventHandlingResultCacheTtl: 0,
  });
  if (options.maxResultsPerFilter !== undefined) relay.register(new ResultCap(options.maxResultsPerFilter));
  const validator = new Validator(options.validator);
  const connections = new Set<Connection>();
  const reqs: ObservedReq[] = [];
  const httpRequests: ObservedHttpRequest[] = [];
  const observe = (kind: ObservedHttpRequest['kind'], path: string, headers: IncomingHttpHeaders): void => {
    httpRequests.push({ kind, path, authorization: headers.authorization ?? null });
    if (httpRequests.length > 1000) httpRequests.shift();
  };

  const accept = (socket: WebSocket): void => {
    const connection: Connection = {
      socket,
      silenced: false,
      client: {
        send: (data: string, cb?: (err?: Error) => void) => {
          if (connection.silenced) return;
          socket.send(data, cb);
        },
        get readyState() {
          return socket.readyState as Client['readyState'];
        },
      },
    };
    connections.add(connection);
    relay.handleConnection(connection.client, '127.0.0.1');
    const handle = async (data: Buffer): Promise<void> => {
      if (connection.silenced) return;
      try {
        const message = await validator.validateIncomingMessage(data);
        if (message[0] === 'REQ') {
          const [, subscriptionId, ...filters] = message;
          reqs.push({ subscriptionId, filters: structuredClone(filters) });
          if (reqs.length > 1000) reqs.shift();
        }
        await relay.handleMessage(connection.client, message);
      } catch (err) {
        connection.client.send(JSON.stringify(['NOTICE', err instanceof Error ? err.message : String(err)]));
      }
    };
    // One message at a time per connection, in arrival order, as real relays do: an EVENT is stored
    // before a REQ sent after it on the same socket is answered.
    let queue: Promise<void> = Promise.resolve();
    socket.on('message', (data) => {
      queue = queue.then(() => handle(data as Buffer));
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      connections.delete(connection);
      relay.handleDisconnect(connection.client);
    });
  };

  const dropConnections = (): void => {
    for (const connection of connections) connection.socket.terminate();
  };

  const server = await serveRelay({
    port: options.port,
    request: (req, res) => {
      observe('info', req.url ?? '/', req.headers);
      if (options.info && /application\/nostr\+json/.test(req.headers.accept ?? '')) {
        res.writeHead(200, { 'content-type': 'application/nostr+json' }).end(JSON.stringify(options.info));
      } else {
        res.writeHead(404).end();
      }
    },
    connection: (socket, req) => {
      observe('upgrade', req.url ?? '/', req.headers);
      accept(socket);
    },
    onStop: dropConnections,
  });

  return relayHandle(server, {
    dropConnections,
    silence: () => {
      for (const connection of connections) {
        connection.silenced = true;
        // Not reading the socket also means no automatic pong: pings go unanswered, as on a dead link.
        connection.socket.pause();
      }
    },
    sendRaw: (frame: string) => {
      for (const connection of connections) if (!connection.silenced) connection.socket.send(frame);
    },
    connectionCount: () => connections.size,
    reqs,
    httpRequests,
    storedEvents: () => readAll(repository),
  });
}

interface EventRow {
  readonly id: string;
  readonly pubkey: string;
  readonly created_at: number;
  readonly kind: number;
  readonly tags: string;
  readonly content: string;
  readonly sig: string;
}

function readAll(repository: EventRepositorySqlite): Event[] {
  const rows = repository
    .getDatabase()
    .prepare('SELECT id, pubkey, created_at, kind, tags, content, sig FROM events ORDER BY created_at, id')
    .all() as EventRow[];
  return rows.map((row) => ({ ...row, tags: JSON.parse(row.tags) as string[][] }));
}
