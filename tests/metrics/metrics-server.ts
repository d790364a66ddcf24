import type { Registry } from 'prom-client';
import { createLogger } from '../../exporter/base/logger.js';
import { type HttpServer, startHttpServer } from '../../exporter/http/server.js';

/** The exporter's own HTTP server on a free local port, serving `registry` on /metrics. */
export function serveMetrics(registry: Registry): Promise<HttpServer> {
  return startHttpServer({
    listen: '127.0.0.1:0',
    registry,
    readiness: () => ({ ready: true, reasons: [] }),
    relays: () => [],
    logger: createLogger('silent', false),
    version: 'test',
  });
}
