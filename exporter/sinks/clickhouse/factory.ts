import { VERSION } from '../../base/version.js';
import type { AssemblyContext, SinkFactory } from '../../pipeline/sink.js';
import { readOnlySql } from '../../sql/readonly-sql.js';
import { mountSqlEndpoint, SQL_ENDPOINT_PATH } from '../../sql/sql-endpoint.js';
import { clickhouseCodeOf, errorMessage } from '../../store/errors.js';
import { SchemaTooNew } from '../../store/migrate.js';
import { assertStoreFree, localSqlUrl, removeOwner, writeOwner } from '../../store/owner-file.js';
import { Store } from '../../store/store.js';
import { storeTargetOf } from '../../store/target.js';
import { ClickHouseSink } from './sink.js';
import { DEFAULT_WRITER_TIMING } from './writer.js';

/** `replay` is a backfill: large batches (ClickHouse prefers 10k+ rows per insert) instead of micro-batches. */
export const REPLAY_BATCH_ROWS = 20_000;
/** ...written every few seconds rather than every second: nobody watches a replay's rows live. */
export const REPLAY_FLUSH_INTERVAL_MS = 5_000;

/**
 * The store sink: opens the store (embedded chdb in `<dataDir>/clickhouse`, or the server of
 * `clickhouse.url`), applies the schema migrations, mounts the read-only SQL endpoint in `run`, hands
 * over the store's relay cursors, and records itself as the embedded store's owner for `dvm-exporter sql`.
 */
export const clickhouseSinkFactory: SinkFactory = async (ctx) => {
  const { config, mode, logger } = ctx;
  if (!config.clickhouse.enabled) return null;
  const target = storeTargetOf(config);
  if (target.kind === 'embedded') assertStoreFree(config.dataDir);
  const store = await Store.open(target, { create: true });
  let deferredSchema: string | null = null;
  try {
    const report = await store.migrate();
    logger.info(
      { store: store.description, schema: report.version, applied: report.applied },
      'history store ready',
    );
  } catch (error) {
    // A server that is not up yet must not stop the exporter: the schema is applied before the first write.
    const unreachable =
      target.kind === 'server' && !(error instanceof SchemaTooNew) && clickhouseCodeOf(error) === null;
    if (!unreachable) {
      await store.close();
      throw error;
    }
    deferredSchema = errorMessage(error);
    logger.warn({ store: store.description, err: deferredSchema }, 'store unreachable; will retry');
  }
  const serveSql = config.clickhouse.sqlEndpoint && mode === 'run';
  if (serveSql) mountSqlEndpoint(ctx.router, () => readOnlySql(store), logger);
  if (target.kind === 'embedded') {
    writeOwner(config.dataDir, {
      pid: process.pid,
      mode,
      sqlUrl: serveSql ? localSqlUrl(config.listen, SQL_ENDPOINT_PATH) : null,
      startedAt: new Date(ctx.wallClock.now() * 1000).toISOString(),
      version: VERSION,
    });
  }
  const sink = new ClickHouseSink(store, sinkOptions(ctx, target.kind === 'server'), {
    registry: ctx.registry,
    logger,
    wallClock: ctx.wallClock,
    startError: deferredSchema ?? undefined,
    beforeFirstWrite: deferredSchema
      ? async () => {
          const report = await store.migrate();
          logger.info({ store: store.description, schema: report.version }, 'history store ready');
        }
      : undefined,
    afterClose: target.kind === 'embedded' ? () => removeOwner(config.dataDir) : undefined,
  });
  // Cursors beside the events they cover, so `run` saves one only once its events are written.
  ctx.keepCursorsIn(sink.cursorStore());
  return sink;
};

function sinkOptions({ config, mode }: AssemblyContext, server: boolean) {
  const { batchMaxRows, flushIntervalMs, maxQueuedRows } = config.clickhouse;
  const batch = mode === 'replay' ? Math.max(batchMaxRows, REPLAY_BATCH_ROWS) : batchMaxRows;
  return {
    ...DEFAULT_WRITER_TIMING,
    batchMaxRows: Math.min(batch, maxQueuedRows),
    flushIntervalMs:
      mode === 'replay' ? Math.max(flushIntervalMs, REPLAY_FLUSH_INTERVAL_MS) : flushIntervalMs,
    maxQueuedRows,
    asyncInsert: server && mode === 'run',
  };
}
