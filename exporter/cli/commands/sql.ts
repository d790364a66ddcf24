import { text } from 'node:stream/consumers';
import type { Command } from 'commander';
import { UsageError } from '../../base/errors.js';
import { answerAdhoc } from '../../sql/adhoc.js';
import { ANSWER_FORMATS, type AnswerFormat, formatAnswer } from '../../sql/answer-format.js';
import { SqlRefused } from '../../sql/readonly-sql.js';
import { errorMessage, StoreError } from '../../store/errors.js';
import { configFromFlags } from '../common-options.js';

interface SqlFlags {
  readonly format?: string;
  readonly config?: string;
  readonly dataDir?: string;
  readonly clickhouseUrl?: string;
}

export function register(program: Command): void {
  program
    .command('sql')
    .description(
      'run a read-only SQL query against the history store (through the running exporter when one holds it)',
    )
    .argument('[query]', 'the SQL; read from stdin when absent or -')
    .option(
      '--format <format>',
      'table, json (one object per line) or csv; default: table on a terminal, else json',
    )
    .option('--config <file>', 'YAML or JSON config file (env: DVM_EXPORTER_CONFIG)')
    .option('--data-dir <dir>', 'the data directory holding the embedded store (default ./data)')
    .option('--clickhouse-url <url>', 'query a ClickHouse server instead: http(s)://user:pass@host:8123/db')
    .action(async (query: string | undefined, flags: SqlFlags) => {
      const format = formatOf(flags.format);
      const sql = query === undefined || query === '-' ? await text(process.stdin) : query;
      const config = configFromFlags({
        config: flags.config,
        dataDir: flags.dataDir,
        clickhouseUrl: flags.clickhouseUrl,
      });
      try {
        const { answer } = await answerAdhoc(sql, config);
        process.stdout.write(formatAnswer(answer, format));
      } catch (error) {
        if (error instanceof SqlRefused) throw new UsageError(`query refused: ${error.message}`);
        // The store could not be reached or opened: one line, exit 1.
        const message =
          error instanceof StoreError ? error.message : `the store did not answer: ${errorMessage(error)}`;
        process.stderr.write(`dvm-exporter: ${message}\n`);
        process.exitCode = 1;
      }
    });
}

function formatOf(flag: string | undefined): AnswerFormat {
  if (flag === undefined) return process.stdout.isTTY ? 'table' : 'json';
  if ((ANSWER_FORMATS as readonly string[]).includes(flag)) return flag as AnswerFormat;
  throw new UsageError(`--format must be one of ${ANSWER_FORMATS.join(', ')}`);
}
