import type { Event } from 'nostr-tools/core';
import { Relay, useWebSocketImplementation } from 'nostr-tools/relay';
import WebSocket from 'ws';
import type { SimulatedItem } from './item.js';

// Node 20 has no global WebSocket; nostr-tools reads this when a Relay is constructed.
useWebSocketImplementation(WebSocket);

export interface PublishOptions {
  readonly url: string;
  /**
   * Multiple of real time: 1 publishes events as far apart as their `at`, 60 plays a minute per second.
   * Unset: as fast as the relay acknowledges, with `window` publishes awaiting their OK at once.
   */
  readonly speed?: number;
  readonly window?: number;
  readonly connectTimeoutMs?: number;
  /** How long to wait for a relay's OK before counting the event as failed. */
  readonly ackTimeoutMs?: number;
  /** Called after every acknowledgement; cheap to call often. */
  readonly onProgress?: (summary: PublishSummary) => void;
  readonly signal?: AbortSignal;
}

export interface PublishSummary {
  /** EVENT messages sent. */
  sent: number;
  /** OK true, new to the relay. */
  accepted: number;
  /** OK true with a `duplicate:` message. */
  duplicates: number;
  /** OK false, by the relay's message (e.g. `invalid: signature is wrong`, `reject: event is expired`). */
  rejected: Record<string, number>;
  /** Items that are not event-shaped (broken JSON or fields): no relay would take them. */
  skipped: number;
  /** No OK within the timeout. */
  failed: number;
  notices: number;
  /** Ids the relay accepted (new or duplicate), for comparing with what a reader gets back. */
  acceptedIds: Set<string>;
}

export class RelayUnreachableError extends Error {
  override readonly name = 'RelayUnreachableError';
}

export class RelayConnectionLostError extends Error {
  override readonly name = 'RelayConnectionLostError';
}

/**
 * Publishes simulated traffic to one relay over NIP-01, waiting for OK acks and counting every outcome.
 * Memory stays bounded by the window of unacknowledged events whatever the length of the input.
 */
export async function publishItems(
  items: Iterable<SimulatedItem>,
  options: PublishOptions,
): Promise<PublishSummary> {
  const summary: PublishSummary = {
    sent: 0,
    accepted: 0,
    duplicates: 0,
    rejected: {},
    skipped: 0,
    failed: 0,
    notices: 0,
    acceptedIds: new Set(),
  };
  const relay = await connect(options);
  let lost = false;
  relay.onclose = () => {
    lost = true;
  };
  relay.onnotice = () => {
    summary.notices++;
  };
  if (options.ackTimeoutMs !== undefined) relay.publishTimeout = options.ackTimeoutMs;

  const window = Math.max(1, options.window ?? 64);
  const inFlight = new Set<Promise<void>>();
  // nostr-tools keys pending OKs by id: a second copy must wait until the first is acknowledged.
  const byId = new Map<string, Promise<void>>();
  const pacer = options.speed === undefined ? null : new Pacer(options.speed);

  try {
    for (const item of items) {
      if (options.signal?.aborted) break;
      if (lost)
        throw new RelayConnectionLostError(
          `${options.url} closed the connection after ${summary.sent} events`,
        );
      const event = item.event;
      if (!isEventShaped(event)) {
        summary.skipped++;
        continue;
      }
      if (pacer) await pacer.waitFor(item.at);
      const earlier = byId.get(event.id);
      if (earlier) await earlier;
      while (inFlight.size >= window) await Promise.race(inFlight);
      const pending: Promise<void> = relay
        .publish(event)
        .then(
          (message) => {
            if (message?.startsWith('duplicate:')) summary.duplicates++;
            else summary.accepted++;
            summary.acceptedIds.add(event.id);
          },
          (err: unknown) => {
            const message = err instanceof Error ? err.message : String(err);
            if (message === 'publish timed out' || lost) summary.failed++;
            else summary.rejected[message.slice(0, 120)] = (summary.rejected[message.slice(0, 120)] ?? 0) + 1;
          },
        )
        .finally(() => {
          inFlight.delete(pending);
          if (byId.get(event.id) === pending) byId.delete(event.id);
          options.onProgress?.(summary);
        });
      inFlight.add(pending);
      byId.set(event.id, pending);
      summary.sent++;
    }
    await Promise.all(inFlight);
    if (lost && summary.failed > 0) {
      throw new RelayConnectionLostError(`${options.url} closed the connection after ${summary.sent} events`);
    }
  } finally {
    relay.onclose = null;
    relay.close();
  }
  return summary;
}

async function connect(options: PublishOptions): Promise<Relay> {
  const relay = new Relay(options.url);
  try {
    await relay.connect({ timeout: options.connectTimeoutMs ?? 5000 });
  } catch (err) {
    relay.close();
    const reason = err instanceof Error ? err.message : String(err);
    throw new RelayUnreachableError(`cannot connect to ${options.url}: ${reason}`);
  }
  return relay;
}

/** Cheap structural check: only what a relay's own validator would refuse outright is skipped. */
export function isEventShaped(value: unknown): value is Event {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const event = value as Record<string, unknown>;
  return (
    isHex(event.id, 64) &&
    isHex(event.pubkey, 64) &&
    isHex(event.sig, 128) &&
    Number.isSafeInteger(event.created_at) &&
    Number.isSafeInteger(event.kind) &&
    typeof event.content === 'string' &&
    Array.isArray(event.tags) &&
    event.tags.every((tag) => Array.isArray(tag) && tag.every((part) => typeof part === 'string'))
  );
}

function isHex(value: unknown, length: number): boolean {
  return typeof value === 'string' && value.length === length && /^[0-9a-f]+$/.test(value);
}

/** Maps simulated time onto wall time at a fixed speed, starting from the first item. */
class Pacer {
  private origin: { at: number; wallMs: number } | null = null;

  constructor(private readonly speed: number) {}

  async waitFor(at: number): Promise<void> {
    if (!this.origin) {
      this.origin = { at, wallMs: Date.now() };
      return;
    }
    const dueMs = this.origin.wallMs + ((at - this.origin.at) * 1000) / this.speed;
    const waitMs = dueMs - Date.now();
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}
