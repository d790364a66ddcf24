import type { ClickHouseClient } from '@clickhouse/client';
import { clickhouseCodeOf, errorMessage, StoreError } from '../store/errors.js';
import type { Store } from '../store/store.js';
import { checkReadOnlyStatement, checkSyntaxTree } from './sql-guard.js';
import { AnswerTooLarge, embeddedReader, type SqlReader, serverReader } from './sql-reader.js';

/** Bounds on one ad-hoc query. A query cannot raise them: the engine runs it with `readonly=1`. */
export interface SqlLimits {
  readonly maxExecutionSeconds: number;
  readonly maxResultRows: number;
  readonly maxResultBytes: number;
  readonly maxMemoryBytes: number;
  /** Longest query text accepted. */
  readonly maxQueryBytes: number;
}

export const DEFAULT_SQL_LIMITS: SqlLimits = {
  maxExecutionSeconds: 30,
  maxResultRows: 100_000,
  maxResultBytes: 64 * 2 ** 20,
  maxMemoryBytes: 2 * 2 ** 30,
  maxQueryBytes: 64 * 2 ** 10,
};

export interface SqlColumn {
  readonly name: string;
  readonly type: string;
}

export interface SqlAnswer {
  readonly columns: readonly SqlColumn[];
  readonly rows: readonly (readonly unknown[])[];
}

/** The query was refused (not a reading statement, over a limit, bad SQL): the asker's to fix. */
export class SqlRefused extends Error {
  override readonly name = 'SqlRefused';
  constructor(
    message: string,
    /** The ClickHouse error code, when the engine refused it. */
    readonly code: number | null = null,
    /** Refused while running in the engine (not by a check before): the reader is replaced. */
    readonly engine = false,
  ) {
    super(message);
  }
}

/** Queries waiting beyond this are turned away rather than piling up behind a slow one. */
const MAX_WAITING = 16;

/**
 * The engine settings every ad-hoc query runs under. `readonly=1` forbids writes, DDL, temporary
 * tables and any setting change (`SET`, `SETTINGS`), which also refuses every table function not
 * marked `allow_readonly` (ClickHouse src/TableFunctions/ITableFunction.cpp, `execute`: the
 * CREATE_TEMPORARY_TABLE check); `allow_ddl=0` and `allow_introspection_functions=0` say so again.
 * `result_overflow_mode=throw`: an answer over a limit is an error, never silently cut short.
 */
export function readerSettings(limits: SqlLimits): Record<string, string | number> {
  return {
    max_execution_time: limits.maxExecutionSeconds,
    max_result_rows: limits.maxResultRows,
    max_result_bytes: limits.maxResultBytes,
    result_overflow_mode: 'throw',
    max_memory_usage: limits.maxMemoryBytes,
    allow_ddl: 0,
    allow_introspection_functions: 0,
    // Exact 64-bit integers (as JSON strings); the reader turns the ones that fit back into numbers.
    output_format_json_quote_64bit_integers: 1,
    readonly: 1,
  };
}

/**
 * The settings statements are parsed and explained under: read-only as well, but without result
 * limits, which would count the lines of `EXPLAIN AST` (the statement itself never runs there).
 */
export function parserSettings(limits: SqlLimits): Record<string, string | number> {
  return {
    max_execution_time: limits.maxExecutionSeconds,
    max_memory_usage: limits.maxMemoryBytes,
    allow_ddl: 0,
    readonly: 1,
  };
}

const OPENED = new WeakMap<Store, Promise<ReadOnlySql>>();

/**
 * The guarded, limited query runner for ad-hoc SQL over `store`: one per store, opened on first use,
 * closed with the store (which waits for running queries first).
 */
export function readOnlySql(store: Store, limits?: Partial<SqlLimits>): Promise<ReadOnlySql> {
  if (store.isClosing) return Promise.reject(new StoreError('the store is closing'));
  let opened = OPENED.get(store);
  if (!opened) {
    const opening = openReadOnly(store, limits).catch((error: unknown) => {
      OPENED.delete(store);
      throw error;
    });
    store.beforeClose(async () => {
      await (await opening.catch(() => null))?.close();
    });
    OPENED.set(store, opening);
    opened = opening;
  }
  return opened;
}

function openReadOnly(store: Store, limits?: Partial<SqlLimits>): Promise<ReadOnlySql> {
  const { target } = store;
  if (target.kind === 'server') return Promise.resolve(ReadOnlySql.overServer(store.client, limits));
  return ReadOnlySql.overEmbedded(
    (settings) => embeddedReader(target.path, settings),
    limits,
    () => store.releaseEngineMemory(),
  );
}

/** Where statements are parsed and where they run. */
interface Readers {
  readonly parser: SqlReader;
  readonly reader: SqlReader;
}

/** What ClickHouse prints for a column `x` of the materializing wrapper below. */
const MATERIALIZED = /^materialize\((.*)\)$/s;

/**
 * Ad-hoc SQL that cannot write, reach outside the database or escape its limits:
 *
 * 1. ClickHouse parses the query (`formatQuerySingleLine`, the text bound as a parameter, never
 *    spliced into SQL): exactly one well-formed statement, or a refusal;
 * 2. `checkReadOnlyStatement` on that text and `checkSyntaxTree` on the engine's `EXPLAIN AST` of it;
 * 3. it runs on a reader whose settings (`readerSettings`) hold from before the first query; a
 *    SELECT runs as `SELECT * APPLY materialize FROM (<query>)` so that constant columns count at
 *    their full size against `max_result_bytes`; the answer is read in pieces up to that many bytes.
 *
 * After any engine failure the embedded reader is replaced (chdb hands the output a failed query had
 * already produced to the next query on the same session) and `afterFailure` runs (the store hands
 * the engine's freed memory back to the system there).
 */
export class ReadOnlySql {
  private queue: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private closed = false;

  private constructor(
    private readers: Readers,
    readonly limits: SqlLimits,
    /** Opens fresh readers after a failure; null on a server, where requests share nothing. */
    private readonly reopen: (() => Promise<Readers>) | null,
    private readonly afterFailure: () => Promise<void>,
  ) {}

  static overServer(client: ClickHouseClient, limits: Partial<SqlLimits> = {}): ReadOnlySql {
    const full = { ...DEFAULT_SQL_LIMITS, ...limits };
    const readers = {
      parser: serverReader(client, parserSettings(full)),
      reader: serverReader(client, readerSettings(full)),
    };
    return new ReadOnlySql(readers, full, null, async () => {});
  }

  /** Opens embedded readers with `open`, each used for nothing else, with the settings fixed. */
  static async overEmbedded(
    open: (settings: Record<string, string | number>) => Promise<SqlReader>,
    limits: Partial<SqlLimits> = {},
    afterFailure: () => Promise<void> = async () => {},
  ): Promise<ReadOnlySql> {
    const full = { ...DEFAULT_SQL_LIMITS, ...limits };
    const reopen = async (): Promise<Readers> => {
      const parser = await open(parserSettings(full));
      try {
        return { parser, reader: await open(readerSettings(full)) };
      } catch (error) {
        await parser.release();
        throw error;
      }
    };
    return new ReadOnlySql(await reopen(), full, reopen, afterFailure);
  }

  query(text: string): Promise<SqlAnswer> {
    if (this.closed) return Promise.reject(new StoreError('the store is closing'));
    if (this.waiting >= MAX_WAITING)
      return Promise.reject(new StoreError('too many queries waiting; retry later'));
    this.waiting++;
    const run = this.queue.then(() => {
      this.waiting--;
      return this.execute(text);
    });
    this.queue = run.catch(() => {});
    return run;
  }

  /** Waits for queries already accepted, then lets the reader go. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.release();
  }

  private async execute(text: string): Promise<SqlAnswer> {
    if (this.closed) throw new StoreError('the store is closing');
    const query = text.trim();
    if (query === '') throw new SqlRefused('empty query');
    if (Buffer.byteLength(query) > this.limits.maxQueryBytes) {
      throw new SqlRefused(`query longer than ${this.limits.maxQueryBytes} bytes`);
    }
    try {
      return await this.run(query);
    } catch (error) {
      if (!(error instanceof SqlRefused && error.code === null && !error.engine)) {
        if (this.reopen) {
          await this.release();
          this.readers = await this.reopen();
        }
        await this.afterFailure().catch(() => {});
      }
      throw error;
    }
  }

  private async run(query: string): Promise<SqlAnswer> {
    const [formatted] = await this.values('SELECT formatQuerySingleLine({q:String})', { q: query });
    if (formatted === undefined) throw new SqlRefused('the query could not be parsed');
    const statement = checkReadOnlyStatement(formatted);
    if (!statement.ok) throw new SqlRefused(statement.reason);
    const tree = checkSyntaxTree((await this.values(`EXPLAIN AST ${formatted}`, undefined)).join('\n'));
    if (!tree.ok) throw new SqlRefused(tree.reason);
    const selects = /^(SELECT|WITH|\()/i.test(formatted);
    const text = await this.engine(() =>
      this.readers.reader.read(selects ? `SELECT * APPLY materialize FROM (${formatted})` : formatted, {
        format: 'JSONCompactEachRowWithNamesAndTypes',
        maxBytes: this.limits.maxResultBytes,
        stream: selects,
      }),
    );
    const answer = parseCompact(text);
    if (!selects) return answer;
    return {
      columns: answer.columns.map((c) => ({ ...c, name: MATERIALIZED.exec(c.name)?.[1] ?? c.name })),
      rows: answer.rows,
    };
  }

  private async release(): Promise<void> {
    await this.readers.parser.release();
    await this.readers.reader.release();
  }

  /** The first column of a parser's answer, one value a row. */
  private async values(query: string, params?: Record<string, string>): Promise<string[]> {
    const text = await this.engine(() =>
      this.readers.parser.read(query, {
        format: 'JSONCompactEachRow',
        maxBytes: this.limits.maxResultBytes,
        stream: false,
        ...(params ? { params } : {}),
      }),
    );
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => String((JSON.parse(line) as unknown[])[0]));
  }

  /** Engine refusals (syntax, readonly, limits, unknown table) become SqlRefused; outages pass through. */
  private async engine<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof SqlRefused) throw error;
      if (error instanceof AnswerTooLarge) throw new SqlRefused(error.message, null, true);
      const code = clickhouseCodeOf(error);
      if (code !== null) throw new SqlRefused(engineMessage(error), code, true);
      throw error;
    }
  }
}

/**
 * The engine's message as the asker needs it: their own error, without the code prefix, the
 * version, the stack trace or the statement it was wrapped in here.
 */
export function engineMessage(error: unknown): string {
  return errorMessage(error)
    .replace(/^(Code: \d+\.\s*)?(DB::Exception:\s*)?/, '')
    .replace(/\s*\(version [^)]*\)/g, '')
    .replace(/:?\s+in scope\s.*?(?=\.\s+Maybe you meant|\.?\s*\([A-Z_]+\)\s*$|$)/is, '')
    .replace(/:?\s+(While processing|\(in query:)\s.*?(?=\.?\s*\([A-Z_]+\)\s*$|$)/is, '')
    .trim();
}

const WIDE_INTEGER = /^(LowCardinality\()?(Nullable\()?U?Int(64|128|256)\b/;

/** Reads the names-and-types compact JSON; 64-bit integers that fit a JS number become numbers. */
export function parseCompact(text: string): SqlAnswer {
  const lines = text.split('\n').filter((line) => line !== '');
  const names = JSON.parse(lines[0] ?? '[]') as string[];
  const types = JSON.parse(lines[1] ?? '[]') as string[];
  const wide = types.map((type) => WIDE_INTEGER.test(type));
  const rows = lines.slice(2).map((line) => {
    const row = JSON.parse(line) as unknown[];
    return row.map((value, i) => (wide[i] ? narrowInteger(value) : value));
  });
  return { columns: names.map((name, i) => ({ name, type: types[i] ?? '' })), rows };
}

function narrowInteger(value: unknown): unknown {
  if (typeof value !== 'string' || !/^-?\d+$/.test(value)) return value;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
}
