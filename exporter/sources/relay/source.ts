import type { Clock } from '../../base/clock.js';
import { LogThrottle } from '../../base/log-throttle.js';
import type { Logger } from '../../base/logger.js';
import { redactText, redactUrl, secretList, urlSecrets } from '../../base/redact.js';
import type { Config } from '../../config/schema.js';
import type { IngestOutcome } from '../../model/reasons.js';
import { Backoff } from './backoff.js';
import { RelayCounters } from './counters.js';
import { describeSpecs, desiredFilters, zapFilters } from './coverage.js';
import type { FilterSpec } from './filter.js';
import { createdAtOf, parseRelayFrame, refusalReason } from './frames.js';
import type { Intake, IntakeClient } from './intake.js';
import { type EffectiveLimits, effectiveLimits, subscriptionSlots } from './limits.js';
import type { IngestMetrics } from './metrics.js';
import type { Nip11Result, RelayInfo } from './nip11.js';
import { chunkForReq, planSubscriptions } from './plan.js';
import { ResumePoint } from './resume.js';
import { type DisconnectReason, RelaySocket } from './socket.js';
import type { RelayStatus } from './status.js';
import { Subscriptions } from './subscriptions.js';
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
  /** The URL as configured: only the socket and the NIP-11 request see it. */
  readonly url: string;
  /** How the relay is shown; `redactUrl(url)` unless two relays would show alike. */
  readonly displayUrl?: string;
  /** Secrets masked in text from or about the relay; this relay's own when absent. */
  readonly secrets?: readonly string[];
  readonly config: Config['ingest'];
  readonly timing: SourceTiming;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: IngestMetrics;
  readonly intake: Intake;
  readonly zapTargets: ZapTargets;
  readonly fetchInfo: (url: string, timeoutMs: number) => Promise<Nip11Result>;
}

/** Repeated lines of one kind (a rejected event's reason, a refusal) at most this often. */
const NOISY_LOG_SECONDS = 10;
/** While a relay stays unreachable, a reminder at the default level at most this often. */
export const UNREACHABLE_REMINDER_SECONDS = 300;

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
 */
export class RelaySource implements IntakeClient {
  /** The relay as shown everywhere (secrets masked); `connectUrl` is the configured one. */
  readonly url: string;
  private readonly connectUrl: string;
  /** Relay secrets, masked in every text this relay shows (a NOTICE echoing a token, an error). */
  private readonly secrets: readonly string[];
  private state: RelayStatus['state'] = 'idle';
  private stateSince: number;
  private session: Session | null = null;
  private readonly backoff: Backoff;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private info: RelayInfo | null = null;
  private infoTried = false;
  private connections = 0;
  private resumePoint: ResumePoint;
  private uncoveredKinds = 0;
  private readonly counters: RelayCounters;
  private readonly log: Logger;
  private readonly noisy: LogThrottle;
  private readonly unreachable: LogThrottle;
  /** Attempts that failed since the relay was last connected (or since start), and when the first did. */
  private failures = 0;
  private failingSince: number | null = null;

  constructor(private readonly deps: SourceDeps) {
    this.connectUrl = deps.url;
    this.url = deps.displayUrl ?? redactUrl(deps.url);
    this.secrets = deps.secrets ?? secretList(urlSecrets(deps.url));
    this.stateSince = deps.clock.now();
    this.backoff = new Backoff(deps.config.reconnectMinSeconds, deps.config.reconnectMaxSeconds);
    this.log = deps.logger.child({ relay: this.url });
    this.noisy = new LogThrottle(deps.clock, NOISY_LOG_SECONDS);
    this.unreachable = new LogThrottle(deps.clock, UNREACHABLE_REMINDER_SECONDS);
    this.counters = new RelayCounters(this.url, deps.metrics);
    this.resumePoint = this.resumeFrom(null);
  }

  /** Starts connecting, resuming from a saved cursor (null: backfill the configured initial window). */
  start(cursor: number | null): void {
    this.resumePoint = this.resumeFrom(cursor);
    void this.connect();
  }

  /** Closes the subscriptions and the socket; no reconnect afterwards. */
  stop(): void {
    this.noteResumePoint();
    this.setState('stopped');
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const session = this.session;
    if (session) {
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

  /** The cursor that may be saved once everything handed to the pipeline so far is flushed. */
  checkpoint(): number | null {
    this.noteResumePoint();
    return this.resumePoint.value;
  }

  // ---- IntakeClient ----

  handled(outcome: IngestOutcome, createdAt: number | null): void {
    this.counters.outcome(outcome);
    if (outcome.status === 'rejected') {
      const held = this.noisy.take(`reject:${outcome.reason}`);
      if (held !== null) {
        this.log.debug(
          { reason: outcome.reason, id: outcome.id, detail: outcome.detail, held },
          'event rejected',
        );
      }
      return;
    }
    // Only events the pipeline took move the frontier: a rejected event's created_at is not trusted.
    if (createdAt !== null) this.resumePoint.took(createdAt, this.deps.clock.now());
  }

  shed(createdAt: number | null): void {
    const total = this.counters.shed();
    this.resumePoint.shed(createdAt);
    if (this.noisy.take('shed') !== null)
      this.log.warn({ shed: total }, 'ingest queue full: shedding events');
  }

  pause(): void {
    this.session?.socket.pause();
  }

  resume(): void {
    this.session?.socket.resume();
  }

  drained(): void {
    const subs = this.session?.subs;
    if (!subs || !this.resumePoint.takeRepair()) return;
    this.log.info({ from: this.resumePoint.shedFrom }, 'fetching again what was shed');
    subs.resubscribe();
  }

  /** Re-issues the zap-receipt REQ when the DVM set grew since this connection last asked. */
  refreshZaps(): void {
    const session = this.session;
    if (!session?.subs || !session.limits) return;
    if (session.zapVersion === this.deps.zapTargets.version) return;
    session.zapVersion = this.deps.zapTargets.version;
    session.subs.setZaps(this.zapSpecs(session.limits));
  }

  status(): RelayStatus {
    const { counters } = this;
    return {
      url: this.url,
      state: this.state,
      connected: this.connected,
      since: this.stateSince,
      lastEventAt: counters.lastEventAt,
      cursor: this.resumePoint.value,
      frontier: this.resumePoint.newest,
      caughtUp: this.session?.subs?.caughtUp ?? false,
      subscriptions: this.openSubscriptions,
      reqs: this.session?.subs?.describe() ?? [],
      uncoveredKinds: this.uncoveredKinds,
      limits: this.session?.limits ?? null,
      relayInfo: this.info ? { name: this.info.name, software: this.info.software } : null,
      counts: counters.snapshot(),
      lastRefusal: counters.lastRefusal,
      lastDisconnect: counters.lastDisconnect,
    };
  }

  // ---- connection lifecycle ----

  private resumeFrom(cursor: number | null): ResumePoint {
    const { config } = this.deps;
    return new ResumePoint(cursor, config.cursorSafetySeconds, config.initialBackfillSeconds);
  }

  private zapSpecs(limits: EffectiveLimits): FilterSpec[] {
    if (!subscriptionSlots(limits).zaps) return [];
    const pubkeys = this.deps.zapTargets.list(limits.maxFiltersPerReq * limits.maxTagValuesPerFilter);
    const [first] = chunkForReq(zapFilters(pubkeys, limits), limits);
    return first ?? [];
  }

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
        this.log.debug(
          { detail: this.show(result.detail) },
          'no relay information (NIP-11); configured limits apply',
        );
      }
      if (this.state !== 'connecting') return;
    }
    const { timing, clock, config } = this.deps;
    const session: Session = {
      socket: new RelaySocket(
        this.connectUrl,
        {
          connectTimeoutMs: timing.connectTimeoutMs,
          pingIntervalMs: config.pingIntervalSeconds * 1000,
          deadAfterMs: config.deadSocketSeconds * 1000,
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
    const { clock, config, intake } = this.deps;
    session.openedAt = clock.now();
    this.connections += 1;
    if (this.failures > 0) {
      this.log.info(
        {
          failedAttempts: this.failures,
          downSeconds: Math.round(session.openedAt - (this.failingSince ?? 0)),
        },
        'relay reachable again',
      );
    }
    this.failures = 0;
    this.failingSince = null;
    this.unreachable.reset('unreachable');
    this.counters.connected(session.openedAt, this.connections > 1);
    this.setState('connected');
    const limits = effectiveLimits(config.limits, this.info);
    const plan = planSubscriptions(desiredFilters(limits), {
      maxFiltersPerReq: limits.maxFiltersPerReq,
      liveSubscriptions: subscriptionSlots(limits).live,
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
      since: () => this.resumePoint.since(clock.now()),
      paused: () => session.socket.paused || intake.paused,
      pageLimit: limits.pageLimit,
      maxFiltersPerReq: limits.maxFiltersPerReq,
      maxMessageBytes: limits.maxMessageBytes,
      eoseTimeoutMs: this.deps.timing.eoseTimeoutMs,
      retryMinSeconds: config.reconnectMinSeconds,
      retryMaxSeconds: config.reconnectMaxSeconds,
      onProgress: () => this.noteResumePoint(),
      onPageRequested: () => this.counters.page(),
      warn: (detail, message) => this.log.warn(detail, message),
    });
    session.subs.open(this.zapSpecs(limits));
    if (intake.paused) session.socket.pause();
  }

  private frame(session: Session, text: string, bytes: number): void {
    const { clock, intake } = this.deps;
    this.counters.bytes(bytes);
    const frame = parseRelayFrame(text, bytes);
    switch (frame.type) {
      case 'EVENT': {
        const now = clock.now();
        this.counters.event(now);
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
      case 'NOTICE': {
        const reason = refusalReason(frame.message);
        const message = this.show(frame.message.slice(0, 300));
        this.counters.refusal(frame.type, message, reason, clock.now());
        const subId = frame.type === 'CLOSED' ? frame.subId : null;
        const held = this.noisy.take(`refusal:${frame.type}`);
        if (held !== null)
          this.log.warn({ frame: frame.type, subId, reason, message, held }, 'relay refusal');
        if (subId !== null) session.subs?.closed(subId);
        return;
      }
      case 'OK':
      case 'AUTH':
        // The exporter publishes nothing and holds no key: nothing to answer.
        return;
      case 'unreadable':
        intake.rejectUnreadable(this, frame.detail);
        return;
      case 'invalid':
        this.counters.invalidFrame();
        if (this.noisy.take('invalid') !== null) this.log.debug({ detail: frame.detail }, 'invalid frame');
        return;
    }
  }

  private closed(session: Session, reason: DisconnectReason, detail: string): void {
    if (this.session !== session) return;
    const { clock, timing } = this.deps;
    this.noteResumePoint();
    session.subs?.dispose();
    this.session = null;
    const shown = this.show(detail);
    this.counters.disconnected(reason, shown, clock.now());
    if (this.state === 'stopped') return;
    const lived = session.openedAt === null ? 0 : (clock.now() - session.openedAt) * 1000;
    if (lived >= timing.stableAfterMs) this.backoff.reset();
    const delay = this.backoff.next();
    const retryInSeconds = Math.round(delay * 10) / 10;
    if (session.openedAt !== null) {
      this.log.warn({ reason, detail: shown, retryInSeconds }, 'relay connection ended');
    } else {
      this.failedAttempt(reason, shown, retryInSeconds);
    }
    this.setState('waiting');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, delay * 1000);
    this.reconnectTimer.unref();
  }

  /**
   * A connection attempt that never opened. The first since start (or since the relay was last up) is
   * logged at warn; then a reminder at warn at most every UNREACHABLE_REMINDER_SECONDS, the rest at debug.
   */
  private failedAttempt(reason: DisconnectReason, detail: string, retryInSeconds: number): void {
    const now = this.deps.clock.now();
    this.failures += 1;
    this.failingSince ??= now;
    const fields = { reason, detail, retryInSeconds, failedAttempts: this.failures };
    const first = !this.unreachable.seen('unreachable');
    const held = this.unreachable.take('unreachable');
    if (held === null) {
      this.log.debug(fields, 'relay unreachable');
    } else if (first) {
      this.log.warn(fields, 'relay unreachable; retrying with backoff');
    } else {
      const downSeconds = Math.round(now - (this.failingSince ?? now));
      this.log.warn({ ...fields, held, downSeconds }, 'relay still unreachable');
    }
  }

  /** Text from or about the relay, as it may be shown. */
  private show(text: string): string {
    return redactText(text, this.secrets);
  }

  private noteResumePoint(): void {
    this.resumePoint.update({
      caughtUp: this.session?.subs?.caughtUp ?? false,
      paused: this.deps.intake.paused,
      oldestQueued: this.deps.intake.oldestQueued(this),
    });
  }

  private setState(state: RelayStatus['state']): void {
    if (this.state === 'stopped' || this.state === state) return;
    this.state = state;
    this.stateSince = this.deps.clock.now();
  }
}
