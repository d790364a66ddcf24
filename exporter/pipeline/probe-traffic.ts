import type { DvmEvent } from '../model/dvm-event.js';
import type { NostrEvent } from '../model/nostr-event.js';

/**
 * Probe traffic is kept out of the market's numbers: a canary request says nothing about demand, and
 * the DVM's answers to it would count as work done for a customer. Probe requests carry this tag; the
 * pipeline rejects them (reason `probe_traffic`), remembers their ids and authors, and rejects the
 * answers to them too (by `e` tag, or `p` tag naming a probe key). Answers that arrive before their
 * request from an unknown probe key cannot be told apart and count as market traffic.
 */
export const PROBE_MARKER = ['dvm-exporter', 'probe'] as const;

export function hasProbeMarker(event: NostrEvent): boolean {
  return event.tags.some((tag) => tag[0] === PROBE_MARKER[0] && tag[1] === PROBE_MARKER[1]);
}

/** Bounded memory of probe request ids and probe keys (oldest forgotten first). */
export class ProbeTraffic {
  private readonly ids = new Set<string>();
  private readonly keys = new Set<string>();

  constructor(
    ownKeys: readonly string[] = [],
    private readonly capacity = 10_000,
  ) {
    for (const key of ownKeys) this.keys.add(key);
  }

  /** Why `event` is probe traffic, or null when it is not. Remembers probe requests it is shown. */
  check(event: DvmEvent): string | null {
    switch (event.role) {
      case 'request':
        if (!hasProbeMarker(event.event)) return null;
        remember(this.ids, event.event.id, this.capacity);
        remember(this.keys, event.event.pubkey, this.capacity);
        return 'a probe request (marker tag)';
      case 'feedback':
      case 'result':
        if (event.requestId !== null && this.ids.has(event.requestId)) return 'an answer to a probe request';
        if (event.customer !== null && this.keys.has(event.customer)) return 'an answer to a probe key';
        return null;
      default:
        return null;
    }
  }
}

function remember(set: Set<string>, value: string, capacity: number): void {
  set.delete(value);
  set.add(value);
  if (set.size > capacity) set.delete(set.values().next().value as string);
}
