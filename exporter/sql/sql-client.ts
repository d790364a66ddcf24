import { StoreError } from '../store/errors.js';
import { type SqlAnswer, SqlRefused } from './readonly-sql.js';

/** Nothing answered at the endpoint's address (the exporter is stopping, or listens elsewhere). */
export class EndpointUnreachable extends Error {
  override readonly name = 'EndpointUnreachable';
}

/** Sends one query to a running exporter's SQL endpoint. */
export async function postSql(url: string, query: string, timeoutMs = 60_000): Promise<SqlAnswer> {
  let response: globalThis.Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new EndpointUnreachable(`no answer from ${url}: ${(error as Error).message}`, { cause: error });
  }
  const body = (await response.json().catch(() => ({}))) as Partial<SqlAnswer> & {
    error?: string;
    code?: number;
  };
  if (response.status === 400) throw new SqlRefused(body.error ?? 'query refused', body.code ?? null);
  if (!response.ok || !Array.isArray(body.columns) || !Array.isArray(body.rows)) {
    throw new StoreError(
      `the exporter's SQL endpoint answered ${response.status}: ${body.error ?? 'no result'}`,
    );
  }
  return { columns: body.columns, rows: body.rows };
}
