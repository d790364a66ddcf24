import { join } from 'node:path';
import { systemClock } from '../base/clock.js';
import { UsageError } from '../base/errors.js';
import { VERSION } from '../base/version.js';
import type { Config } from '../config/schema.js';
import { type HttpServer, startHttpServer } from '../http/server.js';
import { mountNotifications, type Notifications } from '../notify/index.js';
import type { CursorStore } from '../pipeline/cursor.js';
import { mountProbe, type Probes } from '../probe/index.js';
import { FileCursorStore } from '../sources/cursor-file.js';
import { type IngestTuning, RelayIngest } from '../sources/relay/ingest.js';
import { assembleCommand, type CommandAssemblyOptions, type VerifiedAssembly } from './assemble.js';
import { outboundMetrics } from './self-metrics.js';

export interface RunAssemblyOptions extends CommandAssemblyOptions {
  /** Where relay cursors live; by default the store's (when a sink kept them), else a state file. */
  readonly cursorStore?: CursorStore;
  readonly tuning?: Partial<IngestTuning>;
}

export interface RunningExporter {
  readonly assembly: VerifiedAssembly;
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
export async function startExporter(config: Config, options: RunAssemblyOptions): Promise<RunningExporter> {
  // Live events are verified on the main thread, as they arrive.
  const assembly = await assembleCommand(config, 'run', options, { threads: 0 });
  const { logger } = assembly;
  // With the store on, cursors live beside the events they cover and are saved only after those events
  // are written; without it, a state file in the data directory.
  const cursorStore =
    options.cursorStore ??
    assembly.cursorStore ??
    new FileCursorStore(join(config.dataDir, 'cursors.json'), (message) => logger.warn(message));
  let notifications: Notifications | null = null;
  let probes: Probes | null = null;
  const closeOutbound = () => {
    notifications?.close();
    probes?.close();
  };
  try {
    const outbound = { metrics: outboundMetrics(assembly.registry), logger, clock: systemClock };
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
