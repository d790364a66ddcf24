import type { Config } from '../config/schema.js';
import { StoreError } from '../store/errors.js';
import { describeOwner, readLiveOwner } from '../store/owner-file.js';
import { Store } from '../store/store.js';
import { embeddedStorePath } from '../store/target.js';
import { readOnlySql, type SqlAnswer } from './readonly-sql.js';
import { EndpointUnreachable, postSql } from './sql-client.js';

/** Which way an ad-hoc query went. */
export type AdhocRoute = 'endpoint' | 'embedded' | 'server';

export interface AdhocAnswer {
  readonly answer: SqlAnswer;
  readonly route: AdhocRoute;
}

/**
 * Answers one ad-hoc query the way `dvm-exporter sql` does: a server store directly; an embedded
 * store through the SQL endpoint of the exporter holding it (see owner-file.ts), or, when no process
 * holds it, by opening the directory here. Every route runs the same read-only guard and limits.
 */
export async function answerAdhoc(
  query: string,
  config: Pick<Config, 'dataDir' | 'clickhouse'>,
): Promise<AdhocAnswer> {
  if (config.clickhouse.url) {
    return {
      answer: await queryOpened(await Store.open({ kind: 'server', url: config.clickhouse.url }), query),
      route: 'server',
    };
  }
  const owner = readLiveOwner(config.dataDir);
  if (owner?.sqlUrl) {
    try {
      return { answer: await postSql(owner.sqlUrl, query), route: 'endpoint' };
    } catch (error) {
      if (!(error instanceof EndpointUnreachable)) throw error;
    }
  }
  if (owner) {
    // Opening a directory another process holds fails, and the engine prints a raw exception first.
    const why = owner.sqlUrl
      ? `its SQL endpoint ${owner.sqlUrl} does not answer`
      : 'it serves no SQL endpoint';
    throw new StoreError(
      `the store in ${config.dataDir} is held by ${describeOwner(owner)} and ${why}; retry when it has stopped`,
    );
  }
  const store = await Store.open({ kind: 'embedded', path: embeddedStorePath(config.dataDir) });
  return { answer: await queryOpened(store, query), route: 'embedded' };
}

async function queryOpened(store: Store, query: string): Promise<SqlAnswer> {
  try {
    const sql = await readOnlySql(store);
    return await sql.query(query);
  } finally {
    await store.close();
  }
}
