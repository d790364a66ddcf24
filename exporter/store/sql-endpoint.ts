import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from '../app/logger.js';
import { errorMessage, StoreError } from './errors.js';
import { type ReadOnlySql, SqlRefused } from './readonly-sql.js';

/**
 * POST /api/sql: the read-only SQL endpoint `dvm-exporter sql` uses while an exporter holds the
 * embedded store. The body is the query (text/plain, or JSON `{"query": "..."}`); the answer is
 * `{"columns":[{"name","type"}],"rows":[[...]]}`, or `{"error","code"}` with 400 when the query is
 * refused. Local requests only: loopback or the host's own address, never a proxied request.
 */
export const SQL_ENDPOINT_PATH = '/api/sql';

const MAX_BODY = '128kb';

export function mountSqlEndpoint(router: Router, openSql: () => Promise<ReadOnlySql>, logger: Logger): void {
  router.post(SQL_ENDPOINT_PATH, express.text({ type: () => true, limit: MAX_BODY }), async (req, res) => {
    if (!isLocalRequest(req)) {
      res.status(403).json({ error: 'the SQL endpoint answers local requests only' });
      return;
    }
    const query = queryOf(req);
    if (query === null) {
      res.status(400).json({ error: 'send the query as the request body (text/plain or {"query": "..."})' });
      return;
    }
    try {
      const sql = await openSql();
      res.json(await sql.query(query));
    } catch (error) {
      answerError(res, error, logger);
    }
  });
}

function queryOf(req: Request): string | null {
  const body: unknown = req.body;
  if (typeof body !== 'string' || body.trim() === '') return null;
  if (!req.is('application/json')) return body;
  try {
    const parsed = JSON.parse(body) as { query?: unknown };
    return typeof parsed.query === 'string' ? parsed.query : null;
  } catch {
    return null;
  }
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

export function isLocalRequest(req: Request): boolean {
  if (req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined) return false;
  const remote = req.socket.remoteAddress ?? '';
  return LOOPBACK.test(remote) || (remote !== '' && remote === req.socket.localAddress);
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
