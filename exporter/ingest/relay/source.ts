import type { Logger } from '../../app/logger.js';
import type { Config } from '../../config/schema.js';
import type { IngestOutcome, RejectReason } from '../../model/reasons.js';
import type { Clock } from '../../util/clock.js';
import { Backoff } from './backoff.js';
import { describeSpecs, desiredFilters, zapFilters } from './coverage.js';
import type { FilterSpec } from './filter.js';
import { createdAtOf, parseRelayFrame, type RefusalReason, refusalReason } from './frames.js';
import type { Intake, IntakeClient } from './intake.js';
import { type EffectiveLimits, effectiveLimits, subscriptionSlots } from './limits.js';
import type { IngestMetrics } from './metrics.js';
import type { Nip11Result, RelayInfo } from './nip11.js';
import { chunkForReq, planSubscriptions } from './plan.js';
import { redactUrl } from './redact.js';
import { type DisconnectReason, RelaySocket } from './socket.js';
import type { RelayStatus } from './status.js';
import { Subscriptions } from './subscriptions.js';
import { LogThrottle } from './throttle.js';
import type { ZapTargets } from './zap-targets.js';

export interface SourceTiming {
  readonly connectTimeoutMs: number;
  readonly eoseTimeoutMs: number;
  readonly nip11TimeoutMs: number;
  /** A connection that lived this long resets the reconnect backoff. */
  readonly stableAfterMs: number;
  readonly maxFrameBytes: number;
}

export interface SourceDeps {
  readonly url: string;
  readonly config: Config['ingest'];
  readonly timing: SourceTiming;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: IngestMetrics;
  readonly intake: Intake;
  readonly zapTargets: ZapTargets;
  readonly fetchInfo: (url: string, timeoutMs: number) => Promise<Nip11Result>;
  readonly random?: () => number;
}

type SourceState = 'idle' | 'connecting' | 'connected' | 'waiting' | 'stopped';

interface Session {
  readonly socket: RelaySocket;
  subs: Subscriptions | null;
  limits: EffectiveLimits | null;
  zapVersion: number;
  openedAt: number | null;
}

/**
 * One relay: keeps a connection open (reconnecting with backoff), holds the planned subscriptions on it,
 * hands its events to the intake, counts everything per relay, and tracks its resume point.
 *
 * Resume point: `frontier` is the newest created_at of an event from this relay that the pipeline took
 * (accepted or duplicate). It becomes the resume point only while the relay is caught up (every REQ
 * backfilled), minus nothing still queued and nothing shed; the checkpoint persists it after a flush.
 */
export class RelaySource implements IntakeClient {
  /** The relay as shown everywhere (secrets masked); `connectUrl` is the configured one. */
  readonly url: string;
  private readonly connectUrl: string;
  private state: SourceState = 'idle';
  private stateSince: number;
  private session: Session | null = null;
  private readonly backoff: Backoff;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private info: RelayInfo | null = null;
  private infoTried = false;
  private connections = 0;
  private frontier: number | null = null;
  private resumePoint: number | null = null;
  private shedFloor: number | null = null;
  private needsRepair = false;
  private lastEventAt: number | null = null;
  private uncoveredKinds = 0;
  private lastDisconnect: { reason: DisconnectReason; detail: string; at: number } | null = null;
  private lastRefusal: { frame: 'CLOSED' | 'NOTICE'; message: string; at: number } | null = null;
  private readonly counts = {
    received: 0,
    bytes: 0,
    firstSeen: 0,
    duplicates: 0,
    invalidFrames: 0,
    shed: 0,
    reconnects: 0,
    backfillPages: 0,
    rejected: {} as Partial<Record<RejectReason, number>>,
    refusals: { CLOSED: 0, NOTICE: 0 },
  };
  private readonly log: Logger;
  private readonly noisy: LogThrottle;

  constructor(private readonly deps: SourceDeps) {
    this.connectUrl = deps.url;
    this.url = redactUrl(deps.url);
    this.stateSince = deps.clock.now();
    this.backoff = new Backoff(deps.config.reconnectMinSeconds, deps.config.reconnectMaxSeconds, deps.random);
    this.log = deps.logger.child({ relay: this.url });
    this.noisy = new LogThrottle(deps.clock, 10);
    deps.metrics.initRelay(this.url);
  }

  /** Starts connecting, resuming from a saved cursor (null: backfill the configured initial window). */
  start(cursor: number | null): void {
    this.resumePoint = cursor;
    this.frontier = cursor;
    void this.connect();
  }

  /** Closes the subscriptions and the socket; no reconnect afterwards. */
  stop(): void {
    this.setState('stopped');
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const session = this.session;
    if (session) {
      this.noteResumePoint();
      session.subs?.dispose();
      session.socket.close('shutdown');
    }
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  get openSubscriptions(): number {
    return this.session?.subs?.openCount ?? 0;
  }

  get uncovered(): number {
    return this.uncoveredKinds;
  }

  /**
   * The cursor that may be persisted once everything handed to the pipeline so far is flushed; null when
   * nothing is known yet.
   */
  checkpoint(): number | null {
    this.noteResumePoint();
    return this.resumePoint;
  }

  // ---- IntakeClient ----

  handled(outcome: IngestOutcome, createdAt: number | null): void {
    const { metrics } = this.deps;
    const relay = this.url;
    if (outcome.status === 'accepted') {
      this.counts.firstSeen += 1;
      metrics.firstSeen.inc({ relay });
    } else if (outcome.status === 'duplicate') {
      this.counts.duplicates += 1;
      metrics.duplicates.inc({ relay });
    } else {
      this.counts.rejected[outcome.reason] = (this.counts.rejected[outcome.reason] ?? 0) + 1;
      metrics.rejected.inc({ relay, reason: outcome.reason });
      if (this.noisy.allow(`reject:${outcome.reason}`)) {
        this.log.debug({ reason: outcome.reason, id: outcome.id, detail: outcome.detail }, 'event rejected');
      }
      return;
    }
    // Only events the pipeline took move the frontier: a rejected event's created_at is not trusted.
    if (createdAt !== null) {
      const bounded = Math.min(createdAt, Math.floor(this.deps.clock.now()));
      if (this.frontier === null || bounded > this.frontier) this.frontier = bounded;
    }
  }

  shed(createdAt: number | null): void {
    this.counts.shed += 1;
    this.deps.metrics.shed.inc({ relay: this.url });
    if (createdAt !== null && (this.shedFloor === null || createdAt < this.shedFloor))
      this.shedFloor = createdAt;
    this.needsRepair = true;
    if (this.noisy.allow('shed'))
      this.log.warn({ shed: this.counts.shed }, 'ingest queue full: shedding events');
  }

  pause(): void {
    this.session?.socket.pause();
  }

  resume(): void {
    this.session?.socket.resume();
  }

  drained(): void {
    if (!this.needsRepair || !this.session?.subs) return;
    this.needsRepair = false;
    this.log.info({ from: this.shedFloor }, 'refetching what was shed');
    this.session.subs.resubscribe();
  }

  // ---- zap receipts ----

  /** Re-issues the zap-receipt REQ when the DVM set grew since this connection last asked. */
  refreshZaps(): void {
    const session = this.session;
    if (!session?.subs || !session.limits) return;
    if (session.zapVersion === this.deps.zapTargets.version) return;
    session.zapVersion = this.deps.zapTargets.version;
    session.subs.setZaps(this.zapSpecs(session.limits));
  }

  private zapSpecs(limits: EffectiveLimits): FilterSpec[] {
    if (!subscriptionSlots(limits).zaps) return [];
    const pubkeys = this.deps.zapTargets.list(limits.maxFiltersPerReq * limits.maxTagValuesPerFilter);
    const [first] = chunkForReq(zapFilters(pubkeys, limits), limits);
    return first ?? [];
  }

  // ---- connection lifecycle ----

  private async connect(): Promise<void> {
    if (this.state === 'stopped') return;
    this.setState('connecting');
    if (!this.infoTried) {
      this.infoTried = true;
      const result = await this.deps.fetchInfo(this.connectUrl, this.deps.timing.nip11TimeoutMs);
      if (result.ok) {
        this.info = result.info;
        this.log.info(
          { limitation: result.info.limitation, software: result.info.software },
          'relay information (NIP-11)',
        );
      } else {
        this.log.debug({ detail: result.detail }, 'no relay information (NIP-11); configured limits apply');
      }
      if (this.state !== 'connecting') return;
    }
    const { timing, clock } = this.deps;
    const session: Session = {
      socket: new RelaySocket(
        this.connectUrl,
        {
          connectTimeoutMs: timing.connectTimeoutMs,
          pingIntervalMs: this.deps.config.pingIntervalSeconds * 1000,
          deadAfterMs: this.deps.config.deadSocketSeconds * 1000,
          maxFrameBytes: timing.maxFrameBytes,
          clock,
        },
        {
          onOpen: () => this.opened(session),
          onMessage: (text, bytes) => this.frame(session, text, bytes),
          onClose: (reason, detail) => this.closed(session, reason, detail),
        },
      ),
      subs: null,
      limits: null,
      zapVersion: this.deps.zapTargets.version,
      openedAt: null,
    };
    this.session = session;
  }

  private opened(session: Session): void {
    const { clock, metrics, config, intake } = this.deps;
    session.openedAt = clock.now();
    this.connections += 1;
    if (this.connections > 1) {
      this.counts.reconnects += 1;
      metrics.reconnects.inc({ relay: this.url });
    }
    metrics.lastConnect.set({ relay: this.url }, session.openedAt);
    this.setState('connected');
    const limits = effectiveLimits(config.limits, this.info);
    const slots = subscriptionSlots(limits);
    const plan = planSubscriptions(desiredFilters(limits), {
      maxFiltersPerReq: limits.maxFiltersPerReq,
      liveSubscriptions: slots.live,
      maxMessageBytes: limits.maxMessageBytes,
    });
    const missing = describeSpecs(plan.uncovered);
    this.uncoveredKinds = missing.kinds + missing.cancellationKinds;
    const coverage = {
      reqs: plan.reqs.length,
      limits,
      uncoveredKinds: missing.kinds,
      uncoveredCancellationKinds: missing.cancellationKinds,
    };
    if (this.uncoveredKinds > 0) this.log.warn(coverage, 'relay limits leave some DVM kinds uncovered');
    else this.log.info(coverage, 'connected; subscribing');
    session.limits = limits;
    session.subs = new Subscriptions(plan.reqs, {
      send: (message) => session.socket.send(message),
      since: () => this.since(),
      paused: () => session.socket.paused || intake.paused,
      pageLimit: limits.pageLimit,
      maxFiltersPerReq: limits.maxFiltersPerReq,
      maxMessageBytes: limits.maxMessageBytes,
      eoseTimeoutMs: this.deps.timing.eoseTimeoutMs,
      retryMinSeconds: config.reconnectMinSeconds,
      retryMaxSeconds: config.reconnectMaxSeconds,
      onProgress: () => this.noteResumePoint(),
      onPageRequested: () => {
        this.counts.backfillPages += 1;
        metrics.backfillPages.inc({ relay: this.url });
      },
      warn: (detail, message) => this.log.warn(detail, message),
    });
    session.subs.open(this.zapSpecs(limits));
    if (intake.paused) session.socket.pause();
  }

  /** `since` for a new REQ: the resume point minus the safety margin, or the initial backfill window. */
  private since(): number {
    const { config, clock } = this.deps;
    const base = this.resumePoint ?? Math.floor(clock.now()) - config.initialBackfillSeconds;
    const floor = this.shedFloor === null ? base : Math.min(base, this.shedFloor);
    return Math.max(0, floor - config.cursorSafetySeconds);
  }

  private frame(session: Session, text: string, bytes: number): void {
    const { metrics, clock, intake } = this.deps;
    const relay = this.url;
    this.counts.bytes += bytes;
    metrics.receivedBytes.inc({ relay }, bytes);
    const frame = parseRelayFrame(text, bytes);
    switch (frame.type) {
      case 'EVENT': {
        const now = clock.now();
        this.counts.received += 1;
        this.lastEventAt = now;
        metrics.received.inc({ relay });
        metrics.lastEvent.set({ relay }, now);
        const createdAt = createdAtOf(frame.event);
        session.subs?.observe(frame.subId, frame.event, createdAt);
        intake.offer({
          client: this,
          event: frame.event,
          eventBytes: frame.eventBytes,
          createdAt,
          receivedAt: now,
        });
        return;
      }
      case 'EOSE':
        session.subs?.eose(frame.subId);
        return;
      case 'CLOSED':
        this.refused('CLOSED', frame.message, refusalReason(frame.message), frame.subId);
        session.subs?.closed(frame.subId);
        return;
      case 'NOTICE':
        this.refused('NOTICE', frame.message, refusalReason(frame.message), null);
        return;
      case 'OK':
      case 'AUTH':
        // The exporter publishes nothing and holds no key: nothing to answer.
        return;
      case 'unreadable':
        intake.rejectUnreadable(this, frame.detail);
        if (this.noisy.allow('unreadable')) this.log.debug({ detail: frame.detail }, 'unreadable frame');
        return;
      case 'invalid':
        this.counts.invalidFrames += 1;
        metrics.invalidFrames.inc({ relay });
        if (this.noisy.allow('invalid')) this.log.debug({ detail: frame.detail }, 'invalid frame');
        return;
    }
  }

  private refused(
    frame: 'CLOSED' | 'NOTICE',
    message: string,
    reason: RefusalReason,
    subId: string | null,
  ): void {
    this.counts.refusals[frame] += 1;
    this.lastRefusal = { frame, message: message.slice(0, 300), at: this.deps.clock.now() };
    this.deps.metrics.refusals.inc({ relay: this.url, frame: frame.toLowerCase(), reason });
    if (this.noisy.allow(`refusal:${frame}`))
      this.log.warn({ frame, subId, reason, message: message.slice(0, 300) }, 'relay refusal');
  }

  private closed(session: Session, reason: DisconnectReason, detail: string): void {
    if (this.session !== session) return;
    const { clock, metrics, timing } = this.deps;
    this.noteResumePoint();
    session.subs?.dispose();
    this.session = null;
    this.lastDisconnect = { reason, detail, at: clock.now() };
    metrics.disconnects.inc({ relay: this.url, reason });
    if (this.state === 'stopped') return;
    if (session.openedAt !== null && (clock.now() - session.openedAt) * 1000 >= timing.stableAfterMs)
      this.backoff.reset();
    const delay = this.backoff.next();
    const level = session.openedAt === null ? 'debug' : 'warn';
    this.log[level](
      { reason, detail, retryInSeconds: Math.round(delay * 10) / 10 },
      'relay connection ended',
    );
    this.setState('waiting');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, delay * 1000);
    this.reconnectTimer.unref();
  }

  /**
   * Moves the resume point up to the frontier while caught up, never past anything queued or shed. Not
   * while reads are paused either: frames the relay already sent may be waiting unread.
   */
  private noteResumePoint(): void {
    const subs = this.session?.subs;
    if (!subs?.caughtUp || this.frontier === null || this.deps.intake.paused) return;
    let point = this.frontier;
    const queued = this.deps.intake.oldestQueued(this);
    if (queued !== null) point = Math.min(point, queued - 1);
    if (this.shedFloor !== null) {
      if (this.needsRepair) point = Math.min(point, this.shedFloor - 1);
      else this.shedFloor = null; // caught up after the repair: what was shed has been fetched again
    }
    if (this.resumePoint === null || point > this.resumePoint || this.shedFloor !== null)
      this.resumePoint = point;
  }

  private setState(state: SourceState): void {
    if (this.state === 'stopped' || this.state === state) return;
    this.state = state;
    this.stateSince = this.deps.clock.now();
    if (state !== 'connected') this.deps.metrics.up.set({ relay: this.url }, 0);
  }

  status(): RelayStatus {
    return {
      url: this.url,
      state: this.state,
      connected: this.connected,
      since: this.stateSince,
      lastEventAt: this.lastEventAt,
      cursor: this.resumePoint,
      frontier: this.frontier,
      caughtUp: this.session?.subs?.caughtUp ?? false,
      subscriptions: this.openSubscriptions,
      reqs: this.session?.subs?.describe() ?? [],
      uncoveredKinds: this.uncoveredKinds,
      limits: this.session?.limits ?? null,
      relayInfo: this.info ? { name: this.info.name, software: this.info.software } : null,
      counts: {
        received: this.counts.received,
        bytes: this.counts.bytes,
        firstSeen: this.counts.firstSeen,
        duplicates: this.counts.duplicates,
        rejected: { ...this.counts.rejected },
        invalidFrames: this.counts.invalidFrames,
        refusals: { ...this.counts.refusals },
        shed: this.counts.shed,
        reconnects: this.counts.reconnects,
        backfillPages: this.counts.backfillPages,
      },
      lastRefusal: this.lastRefusal,
      lastDisconnect: this.lastDisconnect,
    };
  }
}
