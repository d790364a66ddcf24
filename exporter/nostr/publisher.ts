import { AbstractSimplePool, type SubCloser, type SubscribeManyParams } from 'nostr-tools/abstract-pool';
import type { Event } from 'nostr-tools/core';
import type { Filter } from 'nostr-tools/filter';
import { verifyEvent } from 'nostr-tools/pure';
import type { Counter } from 'prom-client';
import WebSocket from 'ws';
import type { Logger } from '../base/logger.js';
import { redactUrl } from '../base/redact.js';

/**
 * Publishing the exporter's own signed events (direct messages to operators, probe requests) to relays,
 * and waiting for each relay's NIP-01 `OK`. Every relay's answer is one outcome: accepted, duplicate,
 * refused (OK false, with the relay's reason), timeout (no OK in time) or unreachable.
 */

export const PUBLISH_RESULTS = ['accepted', 'duplicate', 'refused', 'timeout', 'unreachable'] as const;
export type PublishResult = (typeof PUBLISH_RESULTS)[number];

export interface RelayOutcome {
  /** The relay, as shown (credentials and query values masked). */
  readonly relay: string;
  readonly result: PublishResult;
  /** The relay's OK message, or what went wrong; bounded. */
  readonly message: string;
}

export interface PublisherOptions {
  /** What the events are for, the `purpose` label of the publish counter (`notify`, `probe`). */
  readonly purpose: string;
  /** `relayPublishes` counts every relay's answer by purpose and result. */
  readonly metrics?: { readonly relayPublishes: Counter<'purpose' | 'result'> };
  readonly logger?: Logger;
  readonly connectTimeoutMs?: number;
  /** How long to wait for a relay's OK after sending. */
  readonly publishTimeoutMs?: number;
}

const MAX_MESSAGE = 200;

/**
 * nostr-tools detaches its error handler before closing a socket; closing one still connecting makes `ws`
 * emit an error with no listener, which would throw. A no-op listener keeps that harmless.
 */
class QuietWebSocket extends WebSocket {
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args);
    this.on('error', () => {});
  }
}

/** Relay answers that count as the event being on the relay. */
export function isStored(outcome: RelayOutcome): boolean {
  return outcome.result === 'accepted' || outcome.result === 'duplicate';
}

export class EventPublisher {
  private readonly pool: AbstractSimplePool;
  private readonly connectTimeoutMs: number;
  private readonly publishTimeoutMs: number;

  constructor(private readonly options: PublisherOptions) {
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 10_000;
    this.pool = new AbstractSimplePool({
      verifyEvent: (event: Event) => verifyEvent(event),
      websocketImplementation: QuietWebSocket as unknown as typeof globalThis.WebSocket,
      maxWaitForConnection: this.connectTimeoutMs,
    });
    for (const result of PUBLISH_RESULTS)
      options.metrics?.relayPublishes.inc({ purpose: options.purpose, result }, 0);
  }

  /** Sends `event` to every relay at once; resolves with one outcome per distinct relay, never rejects. */
  async publish(event: Event, relays: readonly string[]): Promise<RelayOutcome[]> {
    const distinct = [...new Set(relays)];
    const outcomes = await Promise.all(distinct.map((url) => this.publishOne(event, url)));
    for (const outcome of outcomes) {
      this.options.metrics?.relayPublishes.inc({ purpose: this.options.purpose, result: outcome.result });
      if (!isStored(outcome)) {
        this.options.logger?.warn(
          { relay: outcome.relay, result: outcome.result, message: outcome.message, kind: event.kind },
          'relay did not take a published event',
        );
      }
    }
    return outcomes;
  }

  /** A live subscription on `relays`, verified events only (the pool checks signatures). */
  subscribe(relays: readonly string[], filter: Filter, params: SubscribeManyParams): SubCloser {
    return this.pool.subscribeMany([...relays], filter, params);
  }

  /** Stored events matching `filter`, until every relay sent EOSE or `maxWaitMs` passed. */
  query(relays: readonly string[], filter: Filter, maxWaitMs: number): Promise<Event[]> {
    return this.pool.querySync([...relays], filter, { maxWait: maxWaitMs });
  }

  close(): void {
    this.pool.destroy();
  }

  private async publishOne(event: Event, url: string): Promise<RelayOutcome> {
    const relay = redactUrl(url);
    let connection: Awaited<ReturnType<AbstractSimplePool['ensureRelay']>>;
    try {
      connection = await this.pool.ensureRelay(url, { connectionTimeout: this.connectTimeoutMs });
    } catch (error) {
      return { relay, result: 'unreachable', message: short(error) };
    }
    connection.publishTimeout = this.publishTimeoutMs;
    try {
      const message = (await connection.publish(event)) ?? '';
      const result: PublishResult = message.startsWith('duplicate:') ? 'duplicate' : 'accepted';
      return { relay, result, message: message.slice(0, MAX_MESSAGE) };
    } catch (error) {
      if (error instanceof Error && error.name === 'SendingOnClosedConnection')
        return { relay, result: 'unreachable', message: 'connection closed' };
      const message = short(error);
      // nostr-tools rejects with the relay's OK reason, or with its own words for a timeout or a lost socket.
      if (message === 'publish timed out') return { relay, result: 'timeout', message };
      if (/^(relay connection|no connection)/i.test(message))
        return { relay, result: 'unreachable', message };
      return { relay, result: 'refused', message };
    }
  }
}

function short(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.slice(0, MAX_MESSAGE);
}
