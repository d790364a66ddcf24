import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard } from '../lib/dashboard.js';
import { section } from '../lib/layout.js';
import { stat, table, timeSeries, UNITS, UP_DOWN } from '../lib/panels.js';
import { promInstant, promRange, promTable } from '../lib/prometheus.js';
import { increaseBy, quantile, RATE, rateBy } from '../lib/promql.js';
import { DASHBOARD_UIDS } from '../lib/uids.js';
import { relayVariable } from '../lib/variables.js';

/**
 * The exporter itself: relays (up, events, duplicates, who saw an event first), rejections by reason,
 * the sinks (ClickHouse, traces) with their backlog and errors, and the job index.
 */

const RELAY = 'relay=~"$relay"';

const headline = [
  stat({
    title: 'Exporter scraped',
    description: "Prometheus's own `up` for the exporter's scrape target.",
    unit: UNITS.count,
    steps: UP_DOWN.steps,
    mappings: UP_DOWN.mappings,
    targets: [promInstant('min(up{job="dvm-exporter"})')],
  }),
  stat({
    title: 'Version',
    unit: UNITS.text,
    show: 'name',
    targets: [promInstant('max by (version) (dvm_exporter_build_info)', '{{version}}')],
  }),
  stat({
    title: 'Relays connected',
    unit: UNITS.count,
    targets: [promInstant(`sum(nostr_relay_up{${RELAY}})`)],
  }),
  stat({
    title: 'Events accepted / s',
    unit: UNITS.eventRate,
    sparkline: true,
    targets: [promRange(rateBy('dvm_exporter_accepted_events_total', []))],
  }),
  stat({
    title: 'Store writable',
    description: '0 while ClickHouse inserts fail and are being retried.',
    unit: UNITS.count,
    steps: UP_DOWN.steps,
    mappings: UP_DOWN.mappings,
    targets: [promInstant('min(dvm_exporter_clickhouse_up)')],
  }),
  stat({
    title: 'Jobs tracked',
    description: 'Jobs held in the job index (bounded; oldest evicted first).',
    unit: UNITS.count,
    targets: [promInstant('sum(dvm_exporter_jobs_tracked)')],
  }),
];

const relayTable = table({
  title: 'Relays',
  description:
    'Up now; in the selected range: events received, duplicates, and the share of accepted events this relay ' +
    'delivered first; time since its last event.',
  height: 8,
  targets: [
    promTable(`max by (relay) (nostr_relay_up{${RELAY}})`, 'A'),
    promTable(increaseBy('nostr_relay_events_received_total', ['relay'], RELAY), 'B'),
    promTable(increaseBy('nostr_relay_duplicate_events_total', ['relay'], RELAY), 'C'),
    promTable(
      `${increaseBy('nostr_relay_first_seen_events_total', ['relay'], RELAY)} / ignoring (relay) group_left () ` +
        increaseBy('nostr_relay_first_seen_events_total', []),
      'D',
    ),
    promTable(`max by (relay) (time() - nostr_relay_last_event_timestamp_seconds{${RELAY}})`, 'E'),
  ],
  transformations: [{ id: 'merge', options: {} }],
  columns: [
    { field: 'Time', hidden: true },
    { field: 'relay', header: 'Relay' },
    { field: 'Value #A', header: 'Up', width: 80, cell: 'color-background', ...UP_DOWN },
    { field: 'Value #B', header: 'Events', unit: UNITS.count, decimals: 0 },
    { field: 'Value #C', header: 'Duplicates', unit: UNITS.count, decimals: 0 },
    { field: 'Value #D', header: 'First seen', unit: UNITS.ratio, decimals: 1 },
    { field: 'Value #E', header: 'Last event', unit: UNITS.seconds, decimals: 0 },
  ],
});

const relays = [
  relayTable,
  timeSeries({
    title: 'Events received per relay',
    unit: UNITS.eventRate,
    targets: [promRange(rateBy('nostr_relay_events_received_total', ['relay'], RELAY), '{{relay}}')],
  }),
  timeSeries({
    title: 'Duplicates per relay',
    description: 'Copies of events another relay (or this one) had already delivered.',
    unit: UNITS.eventRate,
    targets: [promRange(rateBy('nostr_relay_duplicate_events_total', ['relay'], RELAY), '{{relay}}')],
  }),
  timeSeries({
    title: 'First-seen share per relay',
    description: 'Which relay delivers events first: share of newly accepted events, per relay.',
    unit: UNITS.ratio,
    stacked: true,
    max: 1,
    targets: [
      promRange(
        `${rateBy('nostr_relay_first_seen_events_total', ['relay'], RELAY)} / ignoring (relay) group_left () ` +
          rateBy('nostr_relay_first_seen_events_total', []),
        '{{relay}}',
      ),
    ],
  }),
  timeSeries({
    title: 'Relay up',
    unit: UNITS.count,
    min: 0,
    max: 1,
    targets: [promRange(`max by (relay) (nostr_relay_up{${RELAY}})`, '{{relay}}')],
  }),
];

const pipeline = [
  timeSeries({
    title: 'Rejected inputs by reason',
    description:
      'Every input that did not become an accepted event, by why (bad signature, not a DVM kind, ...).',
    unit: UNITS.eventRate,
    stacked: true,
    targets: [promRange(rateBy('dvm_exporter_rejected_events_total', ['reason']), '{{reason}}')],
  }),
  timeSeries({
    title: 'Accepted events by role, and duplicates',
    unit: UNITS.eventRate,
    targets: [
      promRange(rateBy('dvm_exporter_accepted_events_total', ['role']), '{{role}}'),
      promRange(rateBy('dvm_exporter_duplicate_events_total', []), 'duplicates', 'B'),
    ],
  }),
  timeSeries({
    title: 'Backfill and late events',
    description: 'Events created before the live window (history, not live rate), and events for ended jobs.',
    unit: UNITS.eventRate,
    targets: [
      promRange(rateBy('dvm_exporter_backfill_events_total', ['role']), 'backfill {{role}}'),
      promRange(rateBy('dvm_exporter_late_events_total', []), 'late', 'B'),
    ],
  }),
  timeSeries({
    title: 'Orphans and kind mismatches',
    description: 'Responses whose request was not seen (yet), and results whose kind is not request + 1000.',
    unit: UNITS.eventRate,
    targets: [
      promRange(rateBy('dvm_exporter_orphan_events_total', ['reason']), 'orphan {{reason}}'),
      promRange(rateBy('dvm_exporter_kind_mismatch_events_total', []), 'kind mismatch', 'B'),
    ],
  }),
];

const sinks = [
  timeSeries({
    title: 'ClickHouse rows written by table',
    unit: UNITS.eventRate,
    targets: [promRange(rateBy('dvm_exporter_clickhouse_rows_inserted_total', ['table']), '{{table}}')],
  }),
  timeSeries({
    title: 'Sink backlog',
    description: 'Rows waiting for ClickHouse, spans waiting for export, events queued in ingestion.',
    unit: UNITS.count,
    targets: [
      promRange('sum(dvm_exporter_clickhouse_buffered_rows)', 'ClickHouse rows'),
      promRange('sum(dvm_exporter_spans_pending)', 'spans', 'B'),
      promRange('sum(dvm_exporter_ingest_queued_events)', 'ingest queue', 'C'),
    ],
  }),
  timeSeries({
    title: 'Sink errors and drops',
    description: 'Errors by sink; ClickHouse insert failures (retried) and rows dropped; spans dropped.',
    unit: UNITS.eventRate,
    targets: [
      promRange(rateBy('dvm_exporter_sink_errors_total', ['sink']), 'errors {{sink}}'),
      promRange(rateBy('dvm_exporter_clickhouse_insert_errors_total', []), 'ClickHouse insert errors', 'B'),
      promRange(
        rateBy('dvm_exporter_clickhouse_rows_dropped_total', ['reason']),
        'rows dropped {{reason}}',
        'C',
      ),
      promRange(rateBy('dvm_exporter_spans_dropped_total', ['reason']), 'spans dropped {{reason}}', 'D'),
    ],
  }),
  timeSeries({
    title: 'Write latency and relay cursor lag',
    description: 'p95 ClickHouse insert time; how far each relay cursor (flushed to the sinks) trails now.',
    unit: UNITS.seconds,
    targets: [
      promRange(quantile(0.95, 'dvm_exporter_clickhouse_insert_duration_seconds', []), 'insert p95'),
      promRange(
        `max by (relay) (time() - nostr_relay_cursor_timestamp_seconds{${RELAY}})`,
        'cursor lag {{relay}}',
        'B',
      ),
    ],
  }),
  timeSeries({
    title: 'Spans',
    unit: UNITS.eventRate,
    targets: [
      promRange(rateBy('dvm_exporter_spans_emitted_total', []), 'emitted'),
      promRange(rateBy('dvm_exporter_spans_exported_total', []), 'exported', 'B'),
    ],
  }),
  timeSeries({
    title: 'Scrape of the exporter',
    description: 'How long a scrape takes and how many series it returns.',
    unit: UNITS.seconds,
    targets: [promRange('max(scrape_duration_seconds{job="dvm-exporter"})', 'scrape duration')],
  }),
];

const jobIndex = [
  timeSeries({
    title: 'Job index size',
    unit: UNITS.count,
    width: 8,
    targets: [
      promRange('sum(dvm_exporter_jobs_tracked)', 'tracked'),
      promRange('sum(dvm_exporter_jobs_open)', 'open', 'B'),
      promRange('sum(dvm_exporter_job_placeholders)', 'placeholders', 'C'),
    ],
  }),
  timeSeries({
    title: 'Evictions and overflow',
    description: 'Jobs forgotten early (cap or age), and anything dropped at a capacity limit.',
    unit: UNITS.eventRate,
    width: 8,
    targets: [
      promRange(`sum by (reason) (rate(dvm_exporter_job_evictions_total[${RATE}]))`, 'evicted {{reason}}'),
      promRange(rateBy('dvm_exporter_label_overflow_total', ['metric']), 'label overflow {{metric}}', 'B'),
      promRange(rateBy('dvm_exporter_job_limit_overflow_total', ['limit']), 'limit {{limit}}', 'C'),
    ],
  }),
  timeSeries({
    title: 'Caches',
    unit: UNITS.count,
    width: 8,
    targets: [
      promRange('sum(dvm_exporter_dedup_cache_entries)', 'seen ids'),
      promRange('sum(dvm_exporter_tracked_dvms)', 'DVMs labelled', 'B'),
    ],
  }),
];

export function exporterHealth(): DashboardBuilder {
  const d = dashboard({
    uid: DASHBOARD_UIDS.exporterHealth,
    title: 'DVM exporter health',
    description: 'Relays, rejections, sinks and the job index of the exporter itself.',
    from: 'now-6h',
  }).withVariable(relayVariable('nostr_relay_up'));
  section(d, 'Now', headline);
  section(d, 'Relays', relays.slice(0, 1));
  section(d, 'Relay traffic', relays.slice(1));
  section(d, 'Pipeline', pipeline);
  section(d, 'Sinks', sinks);
  section(d, 'Job index', jobIndex);
  return d;
}
