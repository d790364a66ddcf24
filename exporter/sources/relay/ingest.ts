import type { Registry } from 'prom-client';
import { type Clock, systemClock } from '../../base/clock.js';
import type { Logger } from '../../base/logger.js';
import { redactUrl, secretList, urlSecrets } from '../../base/redact.js';
import type { Config } from '../../config/schema.js';
import type { CursorStore } from '../../pipeline/cursor.js';
import type { Pipeline } from '../../pipeline/pipeline.js';
import { Intake } from './intake.js';
import { IngestMetrics } from './metrics.js';
import { fetchRelayInfo } from './nip11.js';
import { RecentIds } from './recent-ids.js';
import { RelaySource } from './source.js';
import type { RelayStatus } from './status.js';
import { ZapTargets } from './zap-targets.js';

/** Timings and bounds of live ingestion that are not user configuration. */
export interface IngestTuning {
  /** How often cursors are flushed and saved (also once at shutdown). */
  readonly checkpointIntervalMs: number;
  /** How often the zap-receipt REQs are refreshed when new DVMs appeared. */
  readonly zapRefreshMs: number;
  readonly connectTimeoutMs: number;
  readonly eoseTimeoutMs: number;
  readonly nip11TimeoutMs: number;
  readonly stableAfterMs: number;
  /** Events held while a sink is saturated, across all relays, before shedding. */
  readonly maxQueuedEvents: number;
  readonly zapTargetCapacity: number;
  /** Accepted ids remembered across a restart (see recent-ids.ts). */
  readonly recentIdCapacity: number;
}

export const DEFAULT_TUNING: IngestTuning = {
  checkpointIntervalMs: 5_000,
  zapRefreshMs: 60_000,
  connectTimeoutMs: 10_000,
  eoseTimeoutMs: 30_000,
  nip11TimeoutMs: 3_000,
  stableAfterMs: 60_000,
  maxQueuedEvents: 10_000,
  zapTargetCapacity: 2_000,
  recentIdCapacity: 100_000,
};

export interface RelayIngestOptions {
  readonly config: Config['ingest'];
  /** Largest event accepted (pipeline.maxEventBytes); frames far beyond it end the connection. */
  readonly maxEventBytes: number;
  readonly pipeline: Pipeline;
  readonly registry: Registry;
  readonly logger: Logger;
  readonly cursorStore: CursorStore;
  readonly clock?: Clock;
  readonly tuning?: Partial<IngestTuning>;
}

export interface IngestStatus {
  readonly relays: readonly RelayStatus[];
  readonly queuedEvents: number;
  readonly paused: boolean;
  readonly zapTargets: number;
  readonly lastCheckpointAt: number | null;
}

/**
 * Live ingestion from every configured relay into one pipeline: the relay sources, the shared intake
 * (backpressure), the zap-target set, and the checkpoint loop that persists cursors only after the
 * sinks flushed what they cover.
 */
export class RelayIngest {
  private readonly tuning: IngestTuning;
  private readonly clock: Clock;
  private readonly sources: RelaySource[];
  private readonly intake: Intake;
  private recent: RecentIds;
  private readonly zapTargets: ZapTargets;
  private readonly metrics: IngestMetrics;
  private saved = new Map<string, number>();
  private savedRecent = new Map<string, number>();
  private timers: NodeJS.Timeout[] = [];
  private checkpointRunning: Promise<void> | null = null;
  private lastCheckpointAt: number | null = null;
  private stopped = false;

  constructor(private readonly options: RelayIngestOptions) {
    this.tuning = { ...DEFAULT_TUNING, ...options.tuning };
    this.clock = options.clock ?? systemClock;
    const { config, pipeline, logger } = options;
    this.zapTargets = new ZapTargets(this.tuning.zapTargetCapacity);
    this.metrics = new IngestMetrics(options.registry, {
      relays: () =>
        this.sources.map((s) => ({
          url: s.url,
          connected: s.connected,
          openSubscriptions: s.openSubscriptions,
          uncoveredKinds: s.uncovered,
          cursor: this.saved.get(s.url) ?? null,
        })),
      queuedEvents: () => this.intake.size,
      zapTargets: () => this.zapTargets.size,
    });
    this.recent = new RecentIds(new Map(), this.tuning.recentIdCapacity);
    this.intake = new Intake(
      pipeline,
      this.recent,
      this.tuning.maxQueuedEvents,
      () => this.sources,
      this.clock,
      logger,
      (seconds) => this.metrics.pausedSeconds.inc(seconds),
    );
    const relays = [...new Set(config.relays)];
    const shown = displayUrls(relays);
    // Every relay's secrets, in every relay's texts: a relay may echo what another was given.
    const secrets = secretList(relays.flatMap(urlSecrets));
    this.sources = relays.map(
      (url, i) =>
        new RelaySource({
          url,
          displayUrl: shown[i],
          secrets,
          config,
          timing: {
            connectTimeoutMs: this.tuning.connectTimeoutMs,
            eoseTimeoutMs: this.tuning.eoseTimeoutMs,
            nip11TimeoutMs: this.tuning.nip11TimeoutMs,
            stableAfterMs: this.tuning.stableAfterMs,
            // Frames well past the event limit are not worth reading: room for the limit, its frame and escaping.
            maxFrameBytes: Math.max(1 << 20, options.maxEventBytes * 4),
          },
          clock: this.clock,
          logger,
          metrics: this.metrics,
          intake: this.intake,
          zapTargets: this.zapTargets,
          fetchInfo: fetchRelayInfo,
        }),
    );
    pipeline.subscribe(this.zapTargets.observe);
  }

  async start(): Promise<void> {
    const store = this.options.cursorStore;
    let prior = new Map<string, number>();
    try {
      this.saved = await store.load();
      prior = (await store.loadRecentIds?.()) ?? prior;
    } catch (err) {
      // A store that is down must not keep the exporter from watching relays: read from the initial
      // backfill window instead; cursors are saved again once the store answers.
      this.saved = new Map();
      this.options.logger.warn(
        { err: (err as Error).message },
        'saved relay cursors unavailable; reading from the initial backfill window',
      );
    }
    this.recent = new RecentIds(prior, this.tuning.recentIdCapacity);
    this.intake.useRecentIds(this.recent);
    for (const source of this.sources) source.start(this.saved.get(source.url) ?? null);
    this.every(this.tuning.checkpointIntervalMs, () => {
      this.checkpoint().catch((err: unknown) => this.options.logger.error({ err }, 'checkpoint failed'));
    });
    this.every(PAUSE_ACCOUNTING_MS, () => this.intake.accountPause());
    this.every(this.tuning.zapRefreshMs, () => {
      for (const source of this.sources) source.refreshZaps();
    });
    this.options.logger.info(
      { relays: this.sources.map((s) => ({ url: s.url, cursor: this.saved.get(s.url) ?? null })) },
      'ingesting from relays',
    );
  }

  /** Closes every subscription and socket, then flushes the sinks and saves the cursors. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    for (const source of this.sources) source.stop();
    if (this.options.pipeline.healthy()) await this.checkpoint();
    else await this.checkpointWithin(UNHEALTHY_FINAL_CHECKPOINT_MS);
    this.intake.clear();
    await this.options.cursorStore.close();
  }

  /**
   * Takes every relay's resume point, waits for the sinks to flush everything handed to them so far, then
   * saves those points. Runs one at a time.
   */
  checkpoint(): Promise<void> {
    const run = (this.checkpointRunning ?? Promise.resolve()).then(() => this.checkpointOnce());
    // The queue of checkpoints never rejects (the caller gets `run`'s failure), so one failure does not
    // stop the next checkpoints nor surface as an unhandled rejection.
    const settled: Promise<void> = run.then(
      () => this.settleCheckpoint(settled),
      () => this.settleCheckpoint(settled),
    );
    this.checkpointRunning = settled;
    return run;
  }

  private settleCheckpoint(settled: Promise<void>): void {
    if (this.checkpointRunning === settled) this.checkpointRunning = null;
  }

  private async checkpointOnce(): Promise<void> {
    const points = this.sources.map((s) => [s.url, s.checkpoint()] as const);
    const next = new Map(this.saved);
    for (const [url, point] of points) if (point !== null) next.set(url, point);
    const recent = this.recent.snapshot(this.rereadFloor(next));
    await this.options.pipeline.flush();
    if (!sameCursors(next, this.saved) || !sameCursors(recent, this.savedRecent)) {
      try {
        await this.options.cursorStore.save(next, recent);
      } catch (err) {
        this.metrics.cursorSaveErrors.inc();
        throw err;
      }
      this.saved = next;
      this.savedRecent = recent;
    }
    this.lastCheckpointAt = this.clock.now();
  }

  /**
   * The final checkpoint while a sink cannot deliver (the store down): it waits for writes that may never
   * happen, so shutdown goes on without it. The cursors stay where they were last saved, behind every
   * unwritten event, and the next start reads those events again.
   */
  private async checkpointWithin(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ms);
    });
    const outcome = await Promise.race([
      this.checkpoint().then(
        () => 'saved' as const,
        () => 'failed' as const,
      ),
      gaveUp,
    ]);
    clearTimeout(timer);
    if (outcome !== 'saved') {
      this.options.logger.warn('a sink cannot deliver: shutting down without saving the relay cursors');
    }
  }

  /** Oldest created_at a restart would read again: the lowest cursor minus the safety margin. */
  private rereadFloor(cursors: ReadonlyMap<string, number>): number {
    const { config } = this.options;
    const lowest = this.sources.reduce(
      (min, s) =>
        Math.min(min, cursors.get(s.url) ?? Math.floor(this.clock.now()) - config.initialBackfillSeconds),
      Number.POSITIVE_INFINITY,
    );
    return lowest - config.cursorSafetySeconds;
  }

  get connectedRelays(): number {
    return this.sources.filter((s) => s.connected).length;
  }

  /** Saved cursors by relay (what a restart would resume from). */
  get cursors(): ReadonlyMap<string, number> {
    return this.saved;
  }

  status(): IngestStatus {
    return {
      relays: this.sources.map((s) => ({ ...s.status(), cursor: this.saved.get(s.url) ?? null })),
      queuedEvents: this.intake.size,
      paused: this.intake.paused,
      zapTargets: this.zapTargets.size,
      lastCheckpointAt: this.lastCheckpointAt,
    };
  }

  private every(ms: number, action: () => void): void {
    const timer = setInterval(action, ms);
    timer.unref();
    this.timers.push(timer);
  }
}

/**
 * How each relay is shown (labels, cursor keys, /api/relays): redacted, and kept distinct when two
 * relays differ only in their secrets by a `#2`, `#3` suffix (a relay URL has no fragment of its own).
 */
export function displayUrls(urls: readonly string[]): string[] {
  const taken = new Map<string, number>();
  return urls.map((url) => {
    const shown = redactUrl(url);
    const n = (taken.get(shown) ?? 0) + 1;
    taken.set(shown, n);
    return n === 1 ? shown : `${shown}#${n}`;
  });
}

/** How long shutdown waits for the final checkpoint while a sink cannot deliver. */
const UNHEALTHY_FINAL_CHECKPOINT_MS = 2_000;

/** How often a pause still going on is added to `dvm_exporter_ingest_paused_seconds_total`. */
const PAUSE_ACCOUNTING_MS = 1_000;

function sameCursors(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
