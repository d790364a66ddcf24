import { Command, CommanderError } from 'commander';
import { EXIT_USAGE, UsageError } from '../base/errors.js';
import { redactText } from '../base/redact.js';
import { VERSION } from '../base/version.js';
import { StoreError } from '../store/errors.js';
import { register as checkConfig } from './commands/check-config.js';
import { register as replay } from './commands/replay.js';
import { register as run } from './commands/run.js';
import { register as simulate } from './commands/simulate.js';
import { register as sql } from './commands/sql.js';

/** Builds the `dvm-exporter` program. Each command lives in its own module under ./commands. */
export function buildProgram(): Command {
  const program = new Command('dvm-exporter')
    .description(
      'Watches Nostr Data Vending Machines (NIP-90) and exports Prometheus metrics, traces and ClickHouse history',
    )
    .version(VERSION)
    .exitOverride();
  const commands: Array<(program: Command) => void> = [run, replay, checkConfig, simulate, sql];
  for (const register of commands) register(program);
  return program;
}

function exitOnError(err: unknown): never {
  if (err instanceof CommanderError) {
    // --help and --version end here with code 0; commander already printed its output.
    process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
  }
  if (err instanceof UsageError) {
    process.stderr.write(`dvm-exporter: ${redactText(err.message)}\n`);
    process.exit(EXIT_USAGE);
  }
  // A store the user can act on, or the system refusing a file or a socket: the message says it all.
  // Anything else is a bug, and its stack is what a report needs.
  if (err instanceof StoreError || isSystemError(err)) {
    process.stderr.write(`dvm-exporter: ${redactText(err.message)}\n`);
    process.exit(1);
  }
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`dvm-exporter: ${redactText(text)}\n`);
  process.exit(1);
}

/** Node's errors from the operating system (EACCES, ENOSPC, ...) carry a code and the failed call. */
function isSystemError(err: unknown): err is NodeJS.ErrnoException {
  const fields = err as NodeJS.ErrnoException | null;
  return err instanceof Error && typeof fields?.code === 'string' && typeof fields.syscall === 'string';
}

export async function main(argv: readonly string[]): Promise<void> {
  const program = buildProgram();
  // Subcommands inherit exitOverride only when set before they are added; set it on each too.
  for (const cmd of program.commands) cmd.exitOverride();
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    exitOnError(err);
  }
}
