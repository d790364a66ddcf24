import { join } from 'node:path';
import type { Command } from 'commander';
import { type Assembly, assemble } from '../../app/assemble.js';
import { configSecrets } from '../../app/secrets.js';
import { SINK_FACTORIES } from '../../app/sink-factories.js';
import { systemClock } from '../../base/clock.js';
import { UsageError } from '../../base/errors.js';
import { createLogger, type Logger } from '../../base/logger.js';
import { VERSION } from '../../base/version.js';
import type { Config } from '../../config/schema.js';
import { type HttpServer, startHttpServer } from '../../http/server.js';
import { mountNotifications, type Notifications } from '../../notify/index.js';
import type { CursorStore } from '../../pipeline/cursor.js';
import type { SinkFactory } from '../../pipeline/sink.js';
import { mountProbe, type Probes } from '../../probe/index.js';
import { storeCursorStore } from '../../sinks/clickhouse/index.js';
import { FileCursorStore } from '../../sources/cursor-file.js';
import { type IngestTuning, RelayIngest } from '../../sources/relay/ingest.js';
import { startVerification } from '../../verify/setup.js';
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

export interface StartOptions {
  readonly logger: Logger;
  readonly sinks?: readonly SinkFactory[];
  readonly cursorStore?: CursorStore;
  readonly tuning?: Partial<IngestTuning>;
}

export interface RunningExporter {
  readonly assembly: Assembly;
  /** Alert delivery to Nostr, when configured. */
  readonly notifications: Notifications | null;
  /** The /probe endpoint, when configured. */
  readonly probes: Probes | null;
  readonly ingest: RelayIngest;
  readonly http: HttpServer;
  /** Closes subscriptions, flushes the sinks, saves cursors, closes sinks and the HTTP server. */
  stop(): Promise<void>;
}

/** Everything `run` does short of waiting for a signal: the pipeline, its sinks, relays and HTTP. */
export async function startExporter(config: Config, options: StartOptions): Promise<RunningExporter> {
  const { logger } = options;
  // Live events are verified on the main thread, as they arrive.
  const { verifier } = await startVerification(config.pipeline, logger, { threads: 0 });
  const assembly = await assemble({
    config,
    mode: 'run',
    logger,
    verifier,
    clock: systemClock,
    wallClock: systemClock,
    sinks: options.sinks ?? SINK_FACTORIES,
  });
  // With the store on, cursors live beside the events they cover and are saved only after those events
  // are written; without it, a state file in the data directory.
  const cursorStore =
    options.cursorStore ??
    storeCursorStore(assembly.sinks) ??
    new FileCursorStore(join(config.dataDir, 'cursors.json'), (message) => logger.warn(message));
  let notifications: Notifications | null = null;
  let probes: Probes | null = null;
  const closeOutbound = () => {
    notifications?.close();
    probes?.close();
  };
  try {
    const outbound = { registry: assembly.registry, logger, clock: systemClock };
    notifications = mountNotifications(assembly.router, config, outbound);
    probes = mountProbe(assembly.router, config, outbound);
  } catch (err) {
    closeOutbound();
    await assembly.close();
    throw err;
  }
  const ingest = new RelayIngest({
    config: config.ingest,
    maxEventBytes: config.pipeline.maxEventBytes,
    pipeline: assembly.pipeline,
    registry: assembly.registry,
    logger,
    cursorStore,
    tuning: options.tuning,
  });
  let http: HttpServer;
  try {
    http = await startHttpServer({
      listen: config.listen,
      registry: assembly.registry,
      router: assembly.router,
      readiness: () => {
        const reasons: string[] = [];
        if (ingest.connectedRelays === 0) reasons.push('no relay connected');
        reasons.push(...assembly.pipeline.sinkProblems());
        return { ready: reasons.length === 0, reasons };
      },
      relays: () => ingest.status(),
      logger,
      version: VERSION,
    });
  } catch (err) {
    closeOutbound();
    await assembly.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new UsageError(`listen: cannot listen on ${config.listen} (${code})`);
    }
    throw err;
  }
  const ticker = setInterval(() => assembly.pipeline.tick(), 1000);
  ticker.unref();
  await ingest.start();
  let stopping: Promise<void> | null = null;
  return {
    assembly,
    notifications,
    probes,
    ingest,
    http,
    stop: () => {
      stopping ??= (async () => {
        clearInterval(ticker);
        await ingest.stop();
        closeOutbound();
        await assembly.close();
        await http.close();
      })();
      return stopping;
    },
  };
}
