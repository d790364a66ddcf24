import {
  type ClickHouseClient,
  type ClickHouseClientConfigOptions,
  ClickHouseLogLevel,
  createClient,
} from '@clickhouse/client';
import { boundChdbPath, closeChdbConnection, openChdbConnection, resolveDataPath } from './chdb-slot.js';
import { type MigrationReport, migrate } from './migrate.js';
import { outdatedPartPaths, removePartDirectories } from './outdated-parts.js';
import { describeTarget, type StoreTarget } from './target.js';

/**
 * The client's pluggable connection. chdb implements it against its own copy of the client's common
 * types (identical in shape, separate declarations), hence the one cast where the two meet.
 */
export type EngineConnection = NonNullable<ClickHouseClientConfigOptions['connection']>;

export interface OpenStoreOptions {
  /** Create a missing embedded data directory (writers). Readers refuse to invent an empty store. */
  readonly create?: boolean;
  /** Wraps the engine connection: lets tests put a failing link between the client and the engine. */
  readonly wrapConnection?: (connection: EngineConnection) => EngineConnection;
}

/** How long a server request may take before it counts as failed (and is retried by the writer). */
const SERVER_REQUEST_TIMEOUT_MS = 30_000;

/** The client's own console logging is off: every failure reaches the caller, which logs and counts it. */
const QUIET = { log: { level: ClickHouseLogLevel.OFF } } as const;

/**
 * An open history store: one `@clickhouse/client` over either engine. The embedded engine gets its
 * connection from the process-wide chdb slot; a server is reached over HTTP(S).
 */
export class Store {
  private readonly closeHooks: (() => Promise<void>)[] = [];
  private closing: Promise<void> | null = null;

  private constructor(
    readonly target: StoreTarget,
    /** The writer: sinks and migrations use it. */
    readonly client: ClickHouseClient,
    private readonly release: () => Promise<void>,
  ) {}

  static async open(target: StoreTarget, options: OpenStoreOptions = {}): Promise<Store> {
    if (target.kind === 'server') {
      const client = createClient({
        url: target.url,
        application: 'dvm-exporter',
        request_timeout: SERVER_REQUEST_TIMEOUT_MS,
        ...QUIET,
      });
      return new Store(target, client, () => client.close());
    }
    const path = resolveDataPath(target.path, options.create ?? false);
    const chdb = await openChdbConnection(path);
    const connection = wrap(chdb as unknown as EngineConnection, options);
    const client = createClient({ connection, ...QUIET });
    const release = async () => {
      // Listed while the engine runs, removed once it has let go (see outdated-parts.ts).
      const outdated = await outdatedPartPaths(client).catch(() => []);
      await closeChdbConnection(chdb);
      // Only once no connection to the directory is left (another store of this process may hold it).
      if (boundChdbPath() === null) removePartDirectories(path, outdated);
    };
    return new Store({ kind: 'embedded', path }, client, release);
  }

  get description(): string {
    return describeTarget(this.target);
  }

  migrate(): Promise<MigrationReport> {
    return migrate(this.client);
  }

  get isClosing(): boolean {
    return this.closing !== null;
  }

  /**
   * Runs `hook` when the store closes, before the engine is let go: what reads through the store
   * (the SQL feature's reader) finishes its queries there.
   */
  beforeClose(hook: () => Promise<void>): void {
    this.closeHooks.push(hook);
  }

  /**
   * Hands the embedded engine's freed memory back to the system: after a refused huge query its
   * allocator would otherwise keep the pages, and the process stays at its peak size.
   */
  async releaseEngineMemory(): Promise<void> {
    await this.client.command({ query: 'SYSTEM JEMALLOC PURGE' });
  }

  /** Idempotent; runs the close hooks (running ad-hoc queries end), then frees the engine (or the HTTP agent). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        for (const hook of this.closeHooks) await hook();
      } finally {
        await this.release();
      }
    })();
    return this.closing;
  }
}

function wrap(connection: EngineConnection, options: OpenStoreOptions): EngineConnection {
  return options.wrapConnection?.(connection) ?? connection;
}
