import { wrapEvent } from 'nostr-tools/nip17';
import type { Counter } from 'prom-client';
import type { Clock } from '../base/clock.js';
import type { Logger } from '../base/logger.js';
import { type EventPublisher, isStored, type RelayOutcome } from '../nostr/publisher.js';
import { DmRelayDirectory } from './dm-relays.js';
import { RateLimiter, RecentKeys } from './limits.js';
import { type MessageLinks, renderMessage } from './message.js';
import { type Audience, type PlannedMessage, planMessages } from './plan.js';
import type { WebhookMessage } from './webhook.js';

/**
 * Turns Alertmanager notifications into NIP-17 direct messages (kind 14, sealed and gift-wrapped per
 * NIP-59 by nostr-tools) and publishes them to the notification relays plus each recipient's DM relays.
 * A message counts as sent once one relay stored it; otherwise it is tried again with doubling backoff.
 */

export const NOTIFICATION_RESULTS = [
  'sent',
  'retried',
  'failed',
  'duplicate',
  'rate_limited',
  'queue_full',
] as const;
export type NotificationResult = (typeof NOTIFICATION_RESULTS)[number];

export interface NotifierSettings extends Audience, MessageLinks {
  readonly secretKey: Uint8Array;
  /** Where every message goes (and where DM relay lists are looked up). */
  readonly relays: readonly string[];
  readonly maxPerRecipientPerHour: number;
  readonly dedupSeconds: number;
  readonly maxAttempts: number;
  readonly retryMinSeconds: number;
  /** Deliveries waiting or in progress before new ones are refused (counted `queue_full`). */
  readonly maxPending?: number;
}

export interface AcceptSummary {
  readonly queued: number;
  readonly duplicates: number;
  readonly rateLimited: number;
  readonly queueFull: number;
}

export interface DeliveryRecord {
  readonly recipient: string;
  readonly status: string;
  readonly alerts: readonly string[];
  readonly attempt: number;
  readonly result: NotificationResult;
  readonly relays: readonly RelayOutcome[];
  readonly at: number;
}

const KEEP_RECORDS = 50;

export class Notifier {
  private readonly recent: RecentKeys;
  private readonly limiter: RateLimiter;
  private readonly directory: DmRelayDirectory;
  private readonly pending = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly records: DeliveryRecord[] = [];
  private closed = false;

  constructor(
    private readonly settings: NotifierSettings,
    private readonly deps: {
      readonly publisher: EventPublisher;
      /** `dvm_exporter_notifications_total`, by result. */
      readonly counter: Counter<'result'>;
      readonly logger: Logger;
      readonly clock: Clock;
    },
  ) {
    for (const result of NOTIFICATION_RESULTS) deps.counter.inc({ result }, 0);
    this.recent = new RecentKeys(deps.clock, settings.dedupSeconds);
    this.limiter = new RateLimiter(deps.clock, settings.maxPerRecipientPerHour);
    this.directory = new DmRelayDirectory(
      (relays, filter) => deps.publisher.query(relays, filter, 3_000),
      settings.relays,
      deps.clock,
    );
  }

  /** Plans and queues the messages of one webhook call; returns at once, delivery goes on in the background. */
  accept(message: WebhookMessage): AcceptSummary {
    let queued = 0;
    let duplicates = 0;
    let rateLimited = 0;
    let queueFull = 0;
    for (const planned of planMessages(message, this.settings)) {
      if (this.recent.has(planned.dedupKey)) {
        duplicates++;
        this.count('duplicate');
        continue;
      }
      if (this.pending.size + this.timers.size >= (this.settings.maxPending ?? 1_000)) {
        queueFull++;
        this.count('queue_full');
        this.deps.logger.error({ recipient: planned.recipient }, 'notification queue full: message dropped');
        continue;
      }
      if (!this.limiter.take(planned.recipient)) {
        rateLimited++;
        this.count('rate_limited');
        this.deps.logger.warn(
          { recipient: planned.recipient },
          'notification rate limit reached: message dropped',
        );
        continue;
      }
      this.recent.add(planned.dedupKey);
      queued++;
      this.start(planned, 1);
    }
    return { queued, duplicates, rateLimited, queueFull };
  }

  /** The newest deliveries, newest first, with every relay's answer. */
  status(): {
    recipients: number;
    subscriptions: number;
    relays: readonly string[];
    deliveries: DeliveryRecord[];
  } {
    return {
      recipients: this.settings.recipients.length,
      subscriptions: this.settings.subscriptions.size,
      relays: this.settings.relays,
      deliveries: [...this.records].reverse(),
    };
  }

  /** Resolves when nothing is being delivered or waiting for a retry. */
  async idle(): Promise<void> {
    while (this.pending.size > 0 || this.timers.size > 0) {
      await Promise.race([...this.pending, new Promise((resolve) => setTimeout(resolve, 50))]);
    }
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private start(planned: PlannedMessage, attempt: number): void {
    const text = renderMessage(planned.status, planned.alerts, this.settings);
    const wrap = wrapEvent(this.settings.secretKey, { publicKey: planned.recipient }, text);
    this.track(this.attempt(planned, wrap, attempt));
  }

  private track(work: Promise<void>): void {
    const run: Promise<void> = work
      .catch((err: unknown) => this.deps.logger.error({ err }, 'alert direct message delivery failed'))
      .finally(() => this.pending.delete(run));
    this.pending.add(run);
  }

  private async attempt(
    planned: PlannedMessage,
    wrap: ReturnType<typeof wrapEvent>,
    attempt: number,
  ): Promise<void> {
    const dmRelays = await this.directory.relaysOf(planned.recipient);
    const outcomes = await this.deps.publisher.publish(wrap, [...this.settings.relays, ...dmRelays]);
    const stored = outcomes.some(isStored);
    const retry = !stored && attempt < this.settings.maxAttempts && !this.closed;
    const result: NotificationResult = stored ? 'sent' : retry ? 'retried' : 'failed';
    this.count(result);
    this.record(planned, attempt, result, outcomes);
    const log = { recipient: planned.recipient, status: planned.status, attempt, result };
    if (stored) this.deps.logger.info(log, 'alert direct message delivered');
    else this.deps.logger.warn(log, 'alert direct message not stored by any relay');
    if (!retry) return;
    const delayMs = this.settings.retryMinSeconds * 1000 * 2 ** (attempt - 1);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      // The same wrapped event again: a relay that stored it after all answers `duplicate`.
      this.track(this.attempt(planned, wrap, attempt + 1));
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  private record(
    planned: PlannedMessage,
    attempt: number,
    result: NotificationResult,
    relays: RelayOutcome[],
  ): void {
    this.records.push({
      recipient: planned.recipient,
      status: planned.status,
      alerts: planned.alerts.map((a) => a.labels.alertname ?? 'alert'),
      attempt,
      result,
      relays,
      at: this.deps.clock.now(),
    });
    if (this.records.length > KEEP_RECORDS) this.records.shift();
  }

  private count(result: NotificationResult): void {
    this.deps.counter.inc({ result });
  }
}
