import type { ClickHouseClient, ClickHouseSettings, Row } from '@clickhouse/client';
import type { Session } from 'chdb';
import { closeChdbConnection, openChdbSession } from '../store/chdb-slot.js';
import { errorMessage } from '../store/errors.js';

/**
 * The connection ad-hoc SQL runs on, with the engine's own bounds: `readonly=1` and the limits are
 * part of every query before its first byte runs, and the answer is read in pieces and given up once
 * it passes a byte cap (a constant column counts once in the engine's `max_result_bytes`, and its
 * text can be many times larger than its bytes in memory).
 */
export interface SqlReader {
  /** Runs one statement; its answer as text in `format`, or AnswerTooLarge past `maxBytes`. */
  read(query: string, options: ReadOptions): Promise<string>;
  release(): Promise<void>;
}

export interface ReadOptions {
  readonly format: string;
  /** Bound `{name:String}` parameters: values never enter the SQL text. */
  readonly params?: Readonly<Record<string, string>>;
  readonly maxBytes: number;
  /**
   * Read the answer in pieces (the default). Off for statements the engine cannot stream (EXPLAIN,
   * SHOW, DESCRIBE), whose answers are small by construction.
   */
  readonly stream?: boolean;
}

/** The answer grew past the byte cap while it was read; reading stopped there. */
export class AnswerTooLarge extends Error {
  override readonly name = 'AnswerTooLarge';
}

/** Settings as `--name=value` arguments of a new embedded session. */
export function sessionArguments(settings: Readonly<Record<string, string | number>>): string[] {
  return Object.entries(settings).map(([name, value]) => `--${name}=${value}`);
}

/**
 * A native chdb session of its own, created with the settings as arguments: they hold from its first
 * query, and `readonly=1` forbids changing any of them afterwards (`SET` or a `SETTINGS` clause).
 */
export async function embeddedReader(
  path: string,
  settings: Readonly<Record<string, string | number>>,
): Promise<SqlReader> {
  const session: Session = await openChdbSession(path, sessionArguments(settings));
  return {
    async read(query, { format, params, maxBytes, stream = true }) {
      if (!stream) {
        const result = await (params
          ? session.queryBindAsync(query, params, { format })
          : session.queryAsync(query, { format }));
        if (result.bytes().length > maxBytes)
          throw new AnswerTooLarge(`the answer is larger than ${maxBytes} bytes`);
        return result.text();
      }
      const chunks = params
        ? session.queryStreamBind(query, params, { format })
        : session.queryStream(query, { format });
      const parts: Uint8Array[] = [];
      let size = 0;
      try {
        for await (const chunk of chunks) {
          size += chunk.numBytes;
          if (size > maxBytes) throw new AnswerTooLarge(`the answer is larger than ${maxBytes} bytes`);
          parts.push(chunk.raw());
        }
      } catch (error) {
        chunks.cancel();
        throw withEngineCode(error);
      }
      return Buffer.concat(parts).toString('utf8');
    },
    release: () => closeChdbConnection(session),
  };
}

/**
 * chdb's stream errors carry the engine's code only in their text (`Code: 62. DB::Exception: ...`);
 * it is put back as `clickhouseCode`, the field the other embedded errors have.
 */
function withEngineCode(error: unknown): unknown {
  if (
    !(error instanceof Error) ||
    typeof (error as { clickhouseCode?: unknown }).clickhouseCode === 'number'
  ) {
    return error;
  }
  const code = /^Code: (\d+)\./.exec(error.message)?.[1];
  return code === undefined ? error : Object.assign(error, { clickhouseCode: Number(code) });
}

/**
 * A server: the settings travel with each query, `readonly=1` among them. A user whose own profile
 * is already read-only may not send settings that differ from it (ClickHouse
 * src/Access/SettingsConstraints.cpp: under readonly=1 only unchanged values or
 * `changeable_in_readonly` ones pass); the server then refuses with "Cannot modify ... in readonly
 * mode", which proves the profile is read-only, and the reader sends none from then on: that
 * profile's limits hold, and the answer is still read up to the byte cap here.
 */
export function serverReader(client: ClickHouseClient, settings: ClickHouseSettings): SqlReader {
  let send = true;
  const run = async (query: string, { format, params, maxBytes }: ReadOptions): Promise<string> => {
    const result = await client.query({
      query,
      format: format as 'JSONCompactEachRowWithNamesAndTypes',
      ...(send ? { clickhouse_settings: settings } : {}),
      ...(params ? { query_params: params } : {}),
    });
    const lines: string[] = [];
    let size = 0;
    try {
      for await (const rows of result.stream() as AsyncIterable<Row[]>) {
        for (const row of rows) {
          size += Buffer.byteLength(row.text) + 1;
          if (size > maxBytes) throw new AnswerTooLarge(`the answer is larger than ${maxBytes} bytes`);
          lines.push(row.text);
        }
      }
    } finally {
      result.close();
    }
    return lines.map((line) => `${line}\n`).join('');
  };
  return {
    async read(query, options) {
      try {
        return await run(query, options);
      } catch (error) {
        if (!send || !READ_ONLY_PROFILE.test(errorMessage(error))) throw error;
        send = false;
        return run(query, options);
      }
    },
    release: async () => {},
  };
}

/** The server's answer to a setting sent by a user whose profile is readonly=1. */
const READ_ONLY_PROFILE = /Cannot modify '(\w+)' setting in readonly mode/;
