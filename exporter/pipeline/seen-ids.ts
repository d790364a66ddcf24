import { LRUCache } from 'lru-cache';

/**
 * Ids of events that passed verification, so a copy from another relay is recognised without a
 * second signature check. Bounded: the oldest ids fall out first, and a copy arriving after its id
 * fell out is simply verified again. Ids that failed verification are never stored, so a failed id
 * is never trusted on the strength of an earlier copy.
 */
export class SeenIds {
  private readonly ids: LRUCache<string, true>;

  constructor(readonly capacity: number) {
    this.ids = new LRUCache<string, true>({ max: capacity });
  }

  has(id: string): boolean {
    // `get` (not `has`) refreshes recency: an id still being re-delivered stays cached.
    return this.ids.get(id) === true;
  }

  /** Whether the id is held, without refreshing its recency. */
  peek(id: string): boolean {
    return this.ids.peek(id) === true;
  }

  add(id: string): void {
    this.ids.set(id, true);
  }

  get size(): number {
    return this.ids.size;
  }
}
