import { LRUCache } from 'lru-cache';
import type { DomainEvent } from '../../jobs/domain-events.js';

/** Roles whose author is a DVM: the pubkeys whose zap receipts may pay for jobs. */
const DVM_ROLES: ReadonlySet<string> = new Set(['result', 'feedback', 'announcement', 'heartbeat']);

/**
 * The DVMs whose zap receipts (kind 9735) the exporter subscribes to.
 *
 * Zap receipts are by far the busiest kind on public relays and almost none concern DVMs, so they are
 * not asked for by kind alone. A receipt names the zapped event in `e` and its recipient in `p`; asking
 * by `#e` would mean one value per job event, asking by `#p` needs one value per DVM. So: `#p` of the
 * pubkeys that authored results, feedback, announcements or heartbeats, most recently active first,
 * bounded. The pipeline then keeps only receipts that point at a job event. A DVM's zaps are fetched
 * from the resume point when it is first seen, so a zap that arrived just before its DVM is not lost.
 */
export class ZapTargets {
  private readonly pubkeys: LRUCache<string, true>;
  /** Bumped when a pubkey is added, so subscribers know to refresh. */
  version = 0;

  constructor(readonly capacity: number) {
    this.pubkeys = new LRUCache<string, true>({ max: Math.max(1, capacity) });
  }

  /** Listener for the pipeline's domain events. */
  readonly observe = (event: DomainEvent): void => {
    if (event.type !== 'event_accepted' || !DVM_ROLES.has(event.event.role)) return;
    const pubkey = event.event.event.pubkey;
    if (this.pubkeys.get(pubkey)) return;
    this.pubkeys.set(pubkey, true);
    this.version += 1;
  };

  /** Up to `max` pubkeys, most recently active first, sorted for a stable REQ. */
  list(max: number): string[] {
    const out: string[] = [];
    for (const key of this.pubkeys.keys()) {
      if (out.length >= max) break;
      out.push(key);
    }
    return out.sort();
  }

  get size(): number {
    return this.pubkeys.size;
  }
}
