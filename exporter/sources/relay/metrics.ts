import { Counter, Gauge, type Registry } from 'prom-client';
import { REJECT_REASONS } from '../../model/reasons.js';

/** Point-in-time values read at scrape time (conventions: gauges computed in collect()). */
export interface IngestGauges {
  relays(): Iterable<{
    readonly url: string;
    readonly connected: boolean;
    readonly openSubscriptions: number;
    readonly uncoveredKinds: number;
    readonly cursor: number | null;
  }>;
  queuedEvents(): number;
  zapTargets(): number;
}

/**
 * The relay and ingestion self-metrics (`nostr_relay_*` per relay, `dvm_exporter_*` for the exporter).
 * The `relay` label only ever holds configured relay URLs, so it stays bounded.
 */
export class IngestMetrics {
  readonly lastConnect: Gauge<'relay'>;
  readonly lastEvent: Gauge<'relay'>;
  readonly received: Counter<'relay'>;
  readonly receivedBytes: Counter<'relay'>;
  readonly firstSeen: Counter<'relay'>;
  readonly duplicates: Counter<'relay'>;
  readonly rejected: Counter<'relay' | 'reason'>;
  readonly invalidFrames: Counter<'relay'>;
  readonly refusals: Counter<'relay' | 'frame' | 'reason'>;
  readonly reconnects: Counter<'relay'>;
  readonly disconnects: Counter<'relay' | 'reason'>;
  readonly backfillPages: Counter<'relay'>;
  readonly shed: Counter<'relay'>;
  readonly pausedSeconds: Counter;
  readonly cursorSaveErrors: Counter;

  constructor(registry: Registry, gauges: IngestGauges) {
    const registers = [registry];
    new Gauge({
      name: 'nostr_relay_up',
      help: 'Whether the exporter holds an open connection to the relay (1) or not (0).',
      labelNames: ['relay'],
      registers,
      collect() {
        for (const r of gauges.relays()) this.set({ relay: r.url }, r.connected ? 1 : 0);
      },
    });
    new Gauge({
      name: 'nostr_relay_subscriptions',
      help: 'Subscriptions (REQs) the exporter holds open on the relay.',
      labelNames: ['relay'],
      registers,
      collect() {
        for (const r of gauges.relays()) this.set({ relay: r.url }, r.openSubscriptions);
      },
    });
    new Gauge({
      name: 'nostr_relay_uncovered_kinds',
      help: "DVM kinds (including cancellations' #k kinds) that do not fit in the relay's subscription limits.",
      labelNames: ['relay'],
      registers,
      collect() {
        for (const r of gauges.relays()) this.set({ relay: r.url }, r.uncoveredKinds);
      },
    });
    new Gauge({
      name: 'nostr_relay_cursor_timestamp_seconds',
      help: 'Resume point for the relay: newest created_at whose events are flushed to the sinks.',
      labelNames: ['relay'],
      registers,
      collect() {
        for (const r of gauges.relays()) if (r.cursor !== null) this.set({ relay: r.url }, r.cursor);
      },
    });
    this.lastConnect = new Gauge({
      name: 'nostr_relay_last_connect_timestamp_seconds',
      help: 'When the current or last connection to the relay opened.',
      labelNames: ['relay'],
      registers,
    });
    this.lastEvent = new Gauge({
      name: 'nostr_relay_last_event_timestamp_seconds',
      help: 'When the relay last delivered an event (arrival time, not created_at).',
      labelNames: ['relay'],
      registers,
    });
    const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Counter<L>({ name, help, labelNames, registers });
    this.received = counter('nostr_relay_events_received_total', 'EVENT frames received from the relay.', [
      'relay',
    ]);
    this.receivedBytes = counter(
      'nostr_relay_received_bytes_total',
      'Bytes of frames received from the relay.',
      ['relay'],
    );
    this.firstSeen = counter(
      'nostr_relay_first_seen_events_total',
      'Accepted events this relay delivered before any other relay.',
      ['relay'],
    );
    this.duplicates = counter(
      'nostr_relay_duplicate_events_total',
      'Events from this relay already accepted from an earlier copy.',
      ['relay'],
    );
    this.rejected = counter(
      'nostr_relay_rejected_events_total',
      'Events from this relay rejected, by reason.',
      ['relay', 'reason'],
    );
    this.invalidFrames = counter(
      'nostr_relay_invalid_frames_total',
      'Frames from the relay that are JSON but not a message this client understands.',
      ['relay'],
    );
    this.refusals = counter(
      'nostr_relay_refusals_total',
      'CLOSED and NOTICE messages from the relay, by frame and machine-readable prefix.',
      ['relay', 'frame', 'reason'],
    );
    this.reconnects = counter('nostr_relay_reconnects_total', 'Connections opened after the first one.', [
      'relay',
    ]);
    this.disconnects = counter(
      'nostr_relay_disconnects_total',
      'Connections to the relay that ended, by reason.',
      ['relay', 'reason'],
    );
    this.backfillPages = counter(
      'nostr_relay_backfill_pages_total',
      'Backfill pages (REQs with until) asked from the relay.',
      ['relay'],
    );
    this.shed = counter(
      'dvm_exporter_events_shed_total',
      'Events dropped before the pipeline because the ingest queue was full; a backfill fetches them again.',
      ['relay'],
    );
    this.pausedSeconds = new Counter({
      name: 'dvm_exporter_ingest_paused_seconds_total',
      help: 'Time reading from relays was paused because a sink could not keep up.',
      registers,
    });
    this.cursorSaveErrors = new Counter({
      name: 'dvm_exporter_cursor_save_errors_total',
      help: 'Failed attempts to persist the relay cursors.',
      registers,
    });
    new Gauge({
      name: 'dvm_exporter_ingest_queued_events',
      help: 'Events read from relays and waiting for the pipeline (backpressure).',
      registers,
      collect() {
        this.set(gauges.queuedEvents());
      },
    });
    new Gauge({
      name: 'dvm_exporter_zap_target_dvms',
      help: 'DVM pubkeys whose zap receipts are subscribed to.',
      registers,
      collect() {
        this.set(gauges.zapTargets());
      },
    });
  }

  /** Gives every per-relay counter a zero sample, so rates have a baseline from the start. */
  initRelay(relay: string): void {
    for (const c of [
      this.received,
      this.receivedBytes,
      this.firstSeen,
      this.duplicates,
      this.invalidFrames,
      this.reconnects,
      this.backfillPages,
      this.shed,
    ]) {
      c.inc({ relay }, 0);
    }
    for (const reason of REJECT_REASONS) this.rejected.inc({ relay, reason }, 0);
  }
}
