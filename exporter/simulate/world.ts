import { createHash } from 'node:crypto';
import type { Role } from '../model/dvm-event.js';
import type { NostrEvent } from '../model/nostr-event.js';
import { encodeInvoice } from './bolt11.js';
import { eventItem } from './item.js';
import type { SimulationKeys } from './keys.js';
import type { Schedule } from './queue.js';
import type { Rng } from './rng.js';
import { type EventTemplate, type SimKey, signEvent } from './signer.js';

/**
 * The state one simulation shares between its parts: randomness, keys, the schedule of pending
 * items, and the market's clock-independent facts (when it ends, when the failing DVM goes down).
 */
export class World {
  constructor(
    readonly rng: Rng,
    readonly keys: SimulationKeys,
    readonly schedule: Schedule,
    /** Unix seconds of the first event; nothing is published at or after `end`. */
    readonly start: number,
    readonly end: number,
    /** From then on the `down` DVM answers nothing and stops its heartbeats. */
    readonly downAt: number,
    /** Whether events carry NIP-40 expiration tags where their framework writes them. */
    readonly expirationTags: boolean,
  ) {}

  /** Signs and schedules an event; `at` defaults to its created_at. Returns the signed event. */
  emit(template: EventTemplate, key: SimKey, role: Role, note: string, at = template.created_at): NostrEvent {
    const event = signEvent(template, key);
    this.schedule.push(at, { type: 'item', item: eventItem(event, role, note, at) });
    return event;
  }

  /** Runs work when the simulation reaches `at` (for recurring traffic such as heartbeats). */
  later(at: number, run: () => void): void {
    this.schedule.push(at, { type: 'task', run });
  }

  /** A customer for a new job; the well-known test key sends a small share, as in real traffic. */
  customer(): SimKey {
    if (this.rng.chance(0.02)) return this.keys.testCustomer;
    return this.rng.pick(this.keys.customers);
  }

  /** A decodable invoice for `msat`, dated `timestamp`, with a description. */
  invoice(msat: number, timestamp: number, description: string, expirySeconds = 600): string {
    return encodeInvoice({
      amountMsat: msat,
      timestamp,
      paymentHash: this.rng.bytes(32),
      paymentSecret: this.rng.bytes(32),
      description,
      expirySeconds,
      signature: this.rng.bytes(65),
    });
  }

  /** A zap invoice committing to the zap request (tag `h`, as LNURL servers do). */
  zapInvoice(msat: number, timestamp: number, zapRequestJson: string): string {
    return encodeInvoice({
      amountMsat: msat,
      timestamp,
      paymentHash: this.rng.bytes(32),
      paymentSecret: this.rng.bytes(32),
      descriptionHash: createHash('sha256').update(zapRequestJson).digest(),
      expirySeconds: 3600,
      signature: this.rng.bytes(65),
    });
  }
}
