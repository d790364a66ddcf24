import { once } from 'node:events';
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

/** Where a test relay listens; stop and restart keep the port (and whatever the relay stores). */
export interface RelayServer {
  /** ws://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** Drops every connection (onStop) and stops listening. */
  stop(): Promise<void>;
  /** Listens again on the same port, stopping first if running. */
  restart(): Promise<void>;
}

/**
 * One HTTP server on 127.0.0.1 for the websocket upgrades and plain HTTP requests (NIP-11), as relays serve
 * both on their one URL; port 0 picks a free one, kept across restarts.
 */
export async function serveRelay(handlers: {
  readonly port?: number;
  readonly request: RequestListener;
  readonly connection: (socket: WebSocket, req: IncomingMessage) => void;
  /** Closes the open connections (before the server stops waiting for them). */
  readonly onStop: () => void;
}): Promise<RelayServer> {
  let server: { wss: WebSocketServer; http: Server } | null = null;
  let port = handlers.port ?? 0;

  const listen = async (): Promise<void> => {
    const http = createServer(handlers.request);
    // Listening first: a port in use rejects here (EADDRINUSE) rather than as an error event of the
    // websocket server that nobody listens to.
    http.listen(port, '127.0.0.1');
    await once(http, 'listening');
    port = (http.address() as AddressInfo).port;
    const wss = new WebSocketServer({ server: http });
    wss.on('connection', handlers.connection);
    server = { wss, http };
  };

  const stop = async (): Promise<void> => {
    const running = server;
    if (!running) return;
    server = null;
    handlers.onStop();
    await new Promise<void>((resolve, reject) => running.wss.close((err) => (err ? reject(err) : resolve())));
    running.http.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      running.http.close((err) => (err ? reject(err) : resolve())),
    );
  };

  await listen();
  return {
    get url() {
      return `ws://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    stop,
    restart: async () => {
      await stop();
      await listen();
    },
  };
}

/** A relay's handle: where it listens (read live, as the port is picked on first listen) and its own extras. */
export function relayHandle<T extends object>(server: RelayServer, extras: T): RelayServer & T {
  return Object.defineProperties(
    { ...extras, stop: server.stop, restart: server.restart },
    { url: { get: () => server.url }, port: { get: () => server.port } },
  ) as RelayServer & T;
}
