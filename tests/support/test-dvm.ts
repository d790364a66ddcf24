import type { Event } from 'nostr-tools/core';
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import { Relay, useWebSocketImplementation } from 'nostr-tools/relay';
import WebSocket from 'ws';

useWebSocketImplementation(WebSocket);

/**
 * Small live DVMs for tests: connected to a relay, they answer job requests addressed to them (p tag)
 * the way real DVMs do (NIP-90), or fail to in a chosen way. The behaviour can change while running.
 */
export type TestDvmBehaviour = 'answer' | 'slow' | 'payment' | 'error' | 'silent';

export interface TestDvmOptions {
  readonly relayUrl: string;
  readonly behaviour: TestDvmBehaviour;
  /** Request kind served (default 5050, text generation). */
  readonly kind?: number;
  /** NIP-89 name announced (kind 31990), if any. */
  readonly name?: string;
  /** Delay before a `slow` DVM answers. */
  readonly slowMs?: number;
  /** Millisats a `payment` DVM asks for. */
  readonly amountMsats?: number;
  /** `processing` feedback before the result. */
  readonly feedbackFirst?: boolean;
}

const now = () => Math.floor(Date.now() / 1000);

export class TestDvm {
  behaviour: TestDvmBehaviour;
  /** Wall time (ms) of the newest result or feedback this DVM published. */
  lastAnswerAt: number | null = null;
  /** Requests it saw, answered or not. */
  readonly requests: Event[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly relay: Relay,
    private readonly key: Uint8Array,
    private readonly options: TestDvmOptions,
  ) {
    this.behaviour = options.behaviour;
  }

  get pubkey(): string {
    return getPublicKey(this.key);
  }

  static async start(options: TestDvmOptions): Promise<TestDvm> {
    const relay = await Relay.connect(options.relayUrl);
    const dvm = new TestDvm(relay, generateSecretKey(), options);
    const kind = options.kind ?? 5050;
    if (options.name !== undefined) {
      await dvm.send(
        31990,
        [
          ['d', `test-${kind}`],
          ['k', String(kind)],
        ],
        JSON.stringify({ name: options.name }),
      );
    }
    relay.subscribe([{ kinds: [kind], '#p': [dvm.pubkey], since: now() - 5 }], {
      onevent: (request) => dvm.handle(request),
    });
    return dvm;
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.relay.close();
  }

  private handle(request: Event): void {
    this.requests.push(request);
    const reply = [
      ['e', request.id],
      ['p', request.pubkey],
    ];
    const feedback = (status: string, extra: string[][] = []) =>
      this.send(7000, [['status', ...status.split(' ')], ...reply, ...extra], '');
    const result = () =>
      this.send(
        (this.options.kind ?? 5050) + 1000,
        [...reply, ['request', JSON.stringify(request)]],
        'answer',
      );
    switch (this.behaviour) {
      case 'answer':
        void (this.options.feedbackFirst ? feedback('processing').then(result) : result());
        break;
      case 'slow': {
        void feedback('processing');
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          void result();
        }, this.options.slowMs ?? 1_500);
        this.timers.add(timer);
        break;
      }
      case 'payment':
        void feedback('payment-required', [['amount', String(this.options.amountMsats ?? 21_000)]]);
        break;
      case 'error':
        void feedback('error model unavailable');
        break;
      case 'silent':
        break;
    }
  }

  private async send(kind: number, tags: string[][], content: string): Promise<void> {
    const event = finalizeEvent({ kind, created_at: now(), tags, content }, this.key);
    try {
      await this.relay.publish(event);
      if (kind !== 31990) this.lastAnswerAt = Date.now();
    } catch {
      // the relay closed: the test is ending
    }
  }
}

/** A customer that sends a job request addressed to `dvm` every `everyMs`. */
export async function startCustomer(relayUrl: string, dvm: string, everyMs: number, kind = 5050) {
  const relay = await Relay.connect(relayUrl);
  const key = generateSecretKey();
  let sent = 0;
  const send = () => {
    const event = finalizeEvent(
      {
        kind,
        created_at: now(),
        tags: [
          ['i', `question ${sent++}`, 'text'],
          ['p', dvm],
        ],
        content: '',
      },
      key,
    );
    relay.publish(event).catch(() => {});
  };
  send();
  const timer = setInterval(send, everyMs);
  return {
    get sent() {
      return sent;
    },
    stop: () => {
      clearInterval(timer);
      relay.close();
    },
  };
}
