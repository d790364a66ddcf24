import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import { clickhouseCodeOf, errorMessage, StoreError } from './errors.js';
import { checkReadOnlyStatement } from './sql-guard.js';

/** Bounds on one ad-hoc query. A query cannot raise them: it may not carry SETTINGS at all. */
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
  ) {
    super(message);
  }
}

/** Queries waiting beyond this are turned away rather than piling up behind a slow one. */
const MAX_WAITING = 16;

/** The limits as settings, `readonly` last: once it is set, no other setting may change. */
function limitSettings(limits: SqlLimits): ClickHouseSettings {
  return {
    max_execution_time: limits.maxExecutionSeconds,
    max_result_rows: String(limits.maxResultRows),
    max_result_bytes: String(limits.maxResultBytes),
    max_memory_usage: String(limits.maxMemoryBytes),
    // Exact 64-bit integers (as JSON strings); the reader turns the ones that fit back into numbers.
    output_format_json_quote_64bit_integers: 1,
    readonly: '1',
  };
}

/** A connection used for ad-hoc SQL alone, and how to let it go. */
export interface DedicatedConnection {
  readonly client: ClickHouseClient;
  release(): Promise<void>;
}

/**
 * Ad-hoc SQL that cannot write or escape its limits. Every query is first parsed by ClickHouse itself
 * (passed as a bound parameter, never spliced into SQL), checked by `checkReadOnlyStatement`, then run
 * as ClickHouse formatted it, under `readonly=1` and the limits. On the embedded engine the limits are
 * fixed once on a connection of its own (settings stick to a chdb connection), and queries take turns
 * on it; on a server they travel with each query.
 *
 * After any failure the embedded connection is replaced: chdb hands the output a failed query had
 * already produced to the next query on the same connection, which would corrupt its answer.
 */
export class ReadOnlySql {
  private queue: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private closed = false;

  private constructor(
    private connection: DedicatedConnection,
    private readonly perQuerySettings: ClickHouseSettings,
    readonly limits: SqlLimits,
    /** Opens a fresh dedicated connection; null on a server, where requests share nothing. */
    private readonly reopen: (() => Promise<DedicatedConnection>) | null,
  ) {}

  static overServer(client: ClickHouseClient, limits: Partial<SqlLimits> = {}): ReadOnlySql {
    const full = { ...DEFAULT_SQL_LIMITS, ...limits };
    return new ReadOnlySql({ client, release: async () => {} }, limitSettings(full), full, null);
  }

  /** Opens connections with `open`, each used for nothing else, and pins the limits on each. */
  static async overDedicatedConnection(
    open: () => Promise<DedicatedConnection>,
    limits: Partial<SqlLimits> = {},
  ): Promise<ReadOnlySql> {
    const full = { ...DEFAULT_SQL_LIMITS, ...limits };
    const reopen = async () => {
      const connection = await open();
      try {
        for (const [name, value] of Object.entries(limitSettings(full))) {
          await connection.client.command({ query: `SET ${name} = ${Number(value)}` });
        }
      } catch (error) {
        await connection.release();
        throw error;
      }
      return connection;
    };
    return new ReadOnlySql(await reopen(), {}, full, reopen);
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

  /** Waits for queries already accepted, then lets the connection go. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.connection.release();
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
      if (this.reopen && !(error instanceof SqlRefused && error.code === null)) {
        await this.connection.release();
        this.connection = await this.reopen();
      }
      throw error;
    }
  }

  private async run(query: string): Promise<SqlAnswer> {
    const formatted = await this.engine(() => this.parse(query));
    const verdict = checkReadOnlyStatement(formatted);
    if (!verdict.ok) throw new SqlRefused(verdict.reason);
    return this.engine(async () => {
      const result = await this.connection.client.query({
        query: formatted,
        format: 'JSONCompactEachRowWithNamesAndTypes',
        clickhouse_settings: this.perQuerySettings,
      });
      return parseCompact(await result.text());
    });
  }

  private async parse(query: string): Promise<string> {
    const result = await this.connection.client.query({
      query: 'SELECT formatQuerySingleLine({q:String}) AS formatted',
      query_params: { q: query },
      format: 'JSONEachRow',
      clickhouse_settings: this.perQuerySettings,
    });
    const [row] = await result.json<{ formatted: string }>();
    if (!row) throw new SqlRefused('the query could not be parsed');
    return row.formatted;
  }

  /** Engine refusals (syntax, readonly, limits, unknown table) become SqlRefused; outages pass through. */
  private async engine<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof SqlRefused) throw error;
      const code = clickhouseCodeOf(error);
      if (code !== null) throw new SqlRefused(errorMessage(error).replace(/^Code: \d+\.\s*/, ''), code);
      throw error;
    }
  }
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
