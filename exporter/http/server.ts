import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Router } from 'express';
import type { Registry } from 'prom-client';
import { UsageError } from '../base/errors.js';
import type { Logger } from '../base/logger.js';
import { exposition } from '../sinks/metrics/exposition.js';
import { SQL_ENDPOINT_DESCRIPTION, SQL_ENDPOINT_PATH } from '../sql/sql-endpoint.js';
import { type Endpoint, landingPage } from './landing.js';

export interface Readiness {
  readonly ready: boolean;
  /** Why not ready (empty when ready). */
  readonly reasons: readonly string[];
}

export interface HttpServerOptions {
  /** HOST:PORT (IPv6 hosts in brackets); port 0 picks a free port. */
  readonly listen: string;
  readonly registry: Registry;
  /** Endpoints the sinks added (e.g. the SQL endpoint), mounted at the root. */
  readonly router?: Router;
  readonly readiness: () => Readiness;
  /** Body of /api/relays. */
  readonly relays: () => unknown;
  readonly logger: Logger;
  readonly version: string;
}

export interface HttpServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const ENDPOINTS: readonly Endpoint[] = [
  { path: '/metrics', description: 'Prometheus metrics (OpenMetrics when asked for, with exemplars)' },
  { path: '/api/relays', description: 'per-relay connection state, counts, cursors and refusals (JSON)' },
  { path: '/healthz', description: 'liveness: 200 while the process serves requests' },
  { path: '/readyz', description: 'readiness: 200 when a relay is connected and the sinks are healthy' },
];

export function parseListen(listen: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(listen);
  const port = Number(match?.[3]);
  if (!match || port > 65_535) throw new UsageError(`config: listen: must be HOST:PORT, got "${listen}"`);
  return { host: (match[1] ?? match[2]) as string, port };
}

/** The exporter's HTTP server: landing page, health, readiness, metrics, relay status, sink endpoints. */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const { host, port } = parseListen(options.listen);
  const app = express();
  app.disable('x-powered-by');

  app.get('/', (_req, res) => {
    res.type('html').send(landingPage(options.version, [...ENDPOINTS, ...routerEndpoints(options.router)]));
  });
  app.get('/healthz', (_req, res) => {
    res.type('text').send('ok\n');
  });
  app.get('/readyz', (_req, res) => {
    const readiness = options.readiness();
    res.status(readiness.ready ? 200 : 503).json(readiness);
  });
  app.get('/metrics', async (req, res) => {
    try {
      const { contentType, body } = await exposition(options.registry, req.get('accept'));
      res.set('content-type', contentType).set('vary', 'Accept').send(body);
    } catch (err) {
      options.logger.error({ err }, 'rendering metrics failed');
      res.status(500).type('text').send('metrics unavailable\n');
    }
  });
  app.get('/api/relays', (_req, res) => {
    res.json(options.relays());
  });
  if (options.router) app.use(options.router);

  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(s)));
    s.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shownHost}:${address.port}`;
  options.logger.info({ url }, 'HTTP server listening');
  return {
    url,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** What the landing page says about the endpoints sinks mount. */
const ROUTER_DESCRIPTIONS: Readonly<Record<string, string>> = {
  [SQL_ENDPOINT_PATH]: SQL_ENDPOINT_DESCRIPTION,
};

/** Paths the sinks put on the shared router (each once), for the landing page. */
function routerEndpoints(router: Router | undefined): Endpoint[] {
  const stack = (router as unknown as { stack?: { route?: { path?: unknown } }[] } | undefined)?.stack ?? [];
  const paths = stack
    .map((layer) => layer.route?.path)
    .filter((path): path is string => typeof path === 'string');
  return [...new Set(paths)].map((path) => ({ path, description: ROUTER_DESCRIPTIONS[path] ?? '' }));
}
