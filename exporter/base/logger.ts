import { type DestinationStream, type Logger, pino } from 'pino';
import { MASK, redactText, secretList } from './redact.js';

export type { Logger };

const SECRET_FIELDS = [
  'password',
  'authorization',
  'headers.authorization',
  '*.password',
  '*.authorization',
  '*.headers.authorization',
];

export interface LoggerOptions {
  /** Human-readable output; by default when stderr is a terminal. */
  readonly pretty?: boolean;
  /** Secret strings from the configuration (see `configSecrets`), masked wherever they appear. */
  readonly secrets?: Iterable<string>;
  /** Where JSON lines go instead of stderr (tests). */
  readonly destination?: DestinationStream;
}

/**
 * Structured JSON logs on stderr (stdout is reserved for command output such as `replay --json`);
 * human-readable when stderr is a terminal.
 *
 * Every line, at every level and from every child logger, passes through `redactText` before it is
 * written: URL credentials and query values are masked wherever they occur (a field, a message, an
 * error's text or stack), and so is every configured secret. Code that logs need not remember to.
 */
export function createLogger(level: string, options: boolean | LoggerOptions = {}): Logger {
  const opts: LoggerOptions = typeof options === 'boolean' ? { pretty: options } : options;
  const { secrets = [], destination } = opts;
  const pretty = destination === undefined && (opts.pretty ?? process.stderr.isTTY === true);
  const known = secretList(secrets);
  const hooks = { streamWrite: (line: string) => redactText(line, known) };
  // Fields that are secrets by name, whatever their value looks like.
  const redact = { paths: SECRET_FIELDS, censor: MASK };
  if (pretty) {
    return pino({
      level,
      hooks,
      redact,
      transport: {
        target: 'pino-pretty',
        options: { destination: 2, colorize: true, translateTime: 'SYS:HH:MM:ss' },
      },
    });
  }
  return pino({ level, hooks, redact }, destination ?? pino.destination(2));
}
