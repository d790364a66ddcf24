import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from '../base/logger.js';
import { errorMessage, StoreError } from '../store/errors.js';
import { isLoopbackAddress, isLoopbackHost } from '../store/loopback.js';
import { type ReadOnlySql, SqlRefused } from './readonly-sql.js';

/**
 * POST /api/sql: the read-only SQL endpoint `dvm-exporter sql` uses while an exporter holds the
 * embedded store. The body is JSON `{"query": "..."}` (`Content-Type: application/json`); the answer
 * is `{"columns":[{"name","type"}],"rows":[[...]]}`, or `{"error","code"}` with 400 when the query
 * is refused.
 *
 * It answers this host only, whatever address the HTTP server listens on: a loopback peer, naming a
 * loopback host (`Host: localhost`, `127.0.0.1`, `[::1]`; a DNS-rebound name is refused), with no
 * foreign `Origin`, never a proxied request. A web page cannot send it a query either: JSON bodies
 * need a CORS preflight, which it never grants, and a `text/plain` or form body is refused.
 */
export const SQL_ENDPOINT_PATH = '/api/sql';

/** What the landing page says about the endpoint. */
export const SQL_ENDPOINT_DESCRIPTION =
  'read-only SQL over the history (what dvm-exporter sql uses): POST {"query": "..."} as application/json, from this host only';

const MAX_BODY = '128kb';

const USAGE = 'POST a JSON body {"query": "SELECT ..."} with Content-Type: application/json, from this host';

export function mountSqlEndpoint(router: Router, openSql: () => Promise<ReadOnlySql>, logger: Logger): void {
  router.post(SQL_ENDPOINT_PATH, express.text({ type: () => true, limit: MAX_BODY }), async (req, res) => {
    const refusal = refusalOf(req);
    if (refusal) {
      res.status(refusal.status).json({ error: refusal.error });
      return;
    }
    const query = queryOf(req);
    if (query === null) {
      res.status(400).json({ error: `the body must be JSON {"query": "..."} with a non-empty query` });
      return;
    }
    try {
      const sql = await openSql();
      res.json(await sql.query(query));
    } catch (error) {
      answerError(res, error, logger);
    }
  });
  router.all(SQL_ENDPOINT_PATH, (_req, res) => {
    res.status(405).set('allow', 'POST').json({ error: USAGE });
  });
  // A body the parser refuses (too large, unreadable): one line of JSON, not Express's HTML page.
  router.use(
    SQL_ENDPOINT_PATH,
    (error: { status?: number }, _req: Request, res: Response, next: (e?: unknown) => void) => {
      if (res.headersSent) {
        next(error);
        return;
      }
      const status = error.status ?? 400;
      res.status(status).json({
        error: status === 413 ? `the query is larger than ${MAX_BODY}` : 'the request body could not be read',
      });
    },
  );
}

interface Refusal {
  readonly status: number;
  readonly error: string;
}

/** Why a request may not use the endpoint, or null. */
export function refusalOf(req: Request): Refusal | null {
  if (!isLocalRequest(req))
    return { status: 403, error: 'the SQL endpoint answers requests from this host only' };
  const host = req.headers.host ?? '';
  if (!isLoopbackHost(host)) {
    return {
      status: 403,
      error: `the SQL endpoint answers requests for a loopback host only, not "${host}"`,
    };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) {
    return { status: 403, error: 'the SQL endpoint refuses requests from web pages of other origins' };
  }
  if (!req.is('application/json')) return { status: 415, error: USAGE };
  return null;
}

function queryOf(req: Request): string | null {
  const body: unknown = req.body;
  if (typeof body !== 'string') return null;
  try {
    const parsed = JSON.parse(body) as { query?: unknown } | null;
    const query = parsed?.query;
    return typeof query === 'string' && query.trim() !== '' ? query : null;
  } catch {
    return null;
  }
}

/** A loopback peer, and not a request a proxy forwarded. */
export function isLocalRequest(req: Request): boolean {
  if (req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined) return false;
  return isLoopbackAddress(req.socket.remoteAddress ?? '');
}

function answerError(res: Response, error: unknown, logger: Logger): void {
  if (error instanceof SqlRefused) {
    res.status(400).json({ error: error.message, code: error.code });
  } else if (error instanceof StoreError) {
    res.status(503).json({ error: error.message });
  } else {
    logger.error({ err: errorMessage(error) }, 'SQL endpoint: store query failed');
    res.status(502).json({ error: `the store could not answer: ${errorMessage(error)}` });
  }
}
