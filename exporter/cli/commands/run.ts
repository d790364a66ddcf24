import type { Command } from 'commander';
import { startExporter } from '../../app/run-assembly.js';
import { configSecrets } from '../../app/secrets.js';
import { UsageError } from '../../base/errors.js';
import { createLogger } from '../../base/logger.js';
import type { Config } from '../../config/schema.js';
import { addPipelineOptions, configFromFlags, type PipelineFlags } from '../common-options.js';
import { startRunStatus } from '../run-status.js';

export interface RunFlags extends PipelineFlags {
  readonly relay?: string[];
  readonly listen?: string;
  readonly shutdownTimeout?: string;
}

/** The flags `run` and `check-config` share: config sources, relays, listen address, sinks. */
export function addRunOptions(command: Command): Command {
  command
    .option(
      '--relay <url>',
      'relay to watch; repeat for several; replaces the default list (env: DVM_EXPORTER_RELAYS, comma-separated)',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option('--listen <host:port>', 'HTTP server address (default 0.0.0.0:9890)');
  return addPipelineOptions(command);
}

export function runConfigFromFlags(flags: RunFlags): Config {
  const extra: Record<string, unknown> = {};
  if (flags.relay && flags.relay.length > 0) extra.ingest = { relays: flags.relay };
  if (flags.listen !== undefined) extra.listen = flags.listen;
  return configFromFlags(flags, extra);
}

export function register(program: Command): void {
  const command = program
    .command('run')
    .description('watch DVM traffic on relays live and export it; stops cleanly on SIGINT or SIGTERM');
  addRunOptions(command)
    .option('--shutdown-timeout <seconds>', 'longest a clean shutdown may take before exiting anyway', '15')
    .action(async (flags: RunFlags) => {
      const shutdownSeconds = Number(flags.shutdownTimeout);
      if (!Number.isFinite(shutdownSeconds) || shutdownSeconds <= 0) {
        throw new UsageError(
          `--shutdown-timeout: expected a positive number of seconds, got "${flags.shutdownTimeout}"`,
        );
      }
      const config = runConfigFromFlags(flags);
      const logger = createLogger(config.logLevel, { secrets: configSecrets(config, process.env) });
      const exporter = await startExporter(config, { logger });
      const stopStatus = startRunStatus(exporter);
      const signal = await nextSignal();
      stopStatus();
      logger.info({ signal, boundSeconds: shutdownSeconds }, 'shutting down');
      // A second signal, or a shutdown that overruns its bound, ends the process at once.
      const force = (code: number, message: string) => () => {
        logger.error(message);
        process.exit(code);
      };
      process.once('SIGINT', force(130, 'second signal: exiting without finishing the shutdown'));
      process.once('SIGTERM', force(130, 'second signal: exiting without finishing the shutdown'));
      setTimeout(
        force(1, `shutdown took longer than ${shutdownSeconds} s: exiting`),
        shutdownSeconds * 1000,
      ).unref();
      await exporter.stop();
      logger.info('stopped');
      process.exit(0);
    });
}

function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
