import type { IngestOutcome, RejectReason } from '../../model/reasons.js';
import type { RefusalReason } from './frames.js';
import type { IngestMetrics } from './metrics.js';
import type { DisconnectReason } from './socket.js';
import type { RelayStatus } from './status.js';

type Refusal = NonNullable<RelayStatus['lastRefusal']>;
type Disconnect = NonNullable<RelayStatus['lastDisconnect']>;

/** One relay's counts, kept both for /api/relays and as Prometheus series. */
export class RelayCounters {
  lastEventAt: number | null = null;
  lastRefusal: Refusal | null = null;
  lastDisconnect: Disconnect | null = null;
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

  constructor(
    private readonly relay: string,
    private readonly metrics: IngestMetrics,
  ) {
    metrics.initRelay(relay);
  }

  bytes(n: number): void {
    this.counts.bytes += n;
    this.metrics.receivedBytes.inc({ relay: this.relay }, n);
  }

  event(at: number): void {
    this.counts.received += 1;
    this.lastEventAt = at;
    this.metrics.received.inc({ relay: this.relay });
    this.metrics.lastEvent.set({ relay: this.relay }, at);
  }

  outcome(outcome: IngestOutcome): void {
    const relay = this.relay;
    if (outcome.status === 'accepted') {
      this.counts.firstSeen += 1;
      this.metrics.firstSeen.inc({ relay });
    } else if (outcome.status === 'duplicate') {
      this.counts.duplicates += 1;
      this.metrics.duplicates.inc({ relay });
    } else {
      this.counts.rejected[outcome.reason] = (this.counts.rejected[outcome.reason] ?? 0) + 1;
      this.metrics.rejected.inc({ relay, reason: outcome.reason });
    }
  }

  invalidFrame(): void {
    this.counts.invalidFrames += 1;
    this.metrics.invalidFrames.inc({ relay: this.relay });
  }

  refusal(frame: Refusal['frame'], message: string, reason: RefusalReason, at: number): void {
    this.counts.refusals[frame] += 1;
    this.lastRefusal = { frame, message: message.slice(0, 300), at };
    this.metrics.refusals.inc({ relay: this.relay, frame: frame.toLowerCase(), reason });
  }

  shed(): number {
    this.counts.shed += 1;
    this.metrics.shed.inc({ relay: this.relay });
    return this.counts.shed;
  }

  connected(at: number, reconnect: boolean): void {
    if (reconnect) {
      this.counts.reconnects += 1;
      this.metrics.reconnects.inc({ relay: this.relay });
    }
    this.metrics.lastConnect.set({ relay: this.relay }, at);
  }

  disconnected(reason: DisconnectReason, detail: string, at: number): void {
    this.lastDisconnect = { reason, detail, at };
    this.metrics.disconnects.inc({ relay: this.relay, reason });
  }

  page(): void {
    this.counts.backfillPages += 1;
    this.metrics.backfillPages.inc({ relay: this.relay });
  }

  snapshot(): RelayStatus['counts'] {
    return { ...this.counts, rejected: { ...this.counts.rejected }, refusals: { ...this.counts.refusals } };
  }
}
