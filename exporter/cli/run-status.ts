import type { Registry } from 'prom-client';
import type { Pipeline } from '../pipeline/pipeline.js';

/** What the status line reads: the relays, the pipeline and the registry of a running exporter. */
export interface RunStatusSource {
  readonly ingest: { status(): { readonly relays: readonly { readonly connected: boolean }[] } };
  readonly assembly: { readonly pipeline: Pipeline; readonly registry: Registry };
}

/** The store's queue as /metrics shows it; absent when the store is off. */
const STORE_BACKLOG_METRIC = 'dvm_exporter_clickhouse_buffered_rows';

/** One line: `relays 3/8 up · 1,234 events · 12 open jobs · store backlog 0 rows`. */
export async function runStatusLine(source: RunStatusSource): Promise<string> {
  const relays = source.ingest.status().relays;
  const up = relays.filter((r) => r.connected).length;
  const { pipeline, registry } = source.assembly;
  const events = pipeline.summaryTotals().accepted;
  const openJobs = pipeline.jobs.stats().openJobs;
  const parts = [
    `relays ${up}/${relays.length} up`,
    `${events.toLocaleString('en-US')} events`,
    `${openJobs.toLocaleString('en-US')} open jobs`,
  ];
  const backlog = registry.getSingleMetric(STORE_BACKLOG_METRIC);
  if (backlog) {
    const value = (await backlog.get()).values[0]?.value ?? 0;
    parts.push(`store backlog ${value.toLocaleString('en-US')} rows`);
  } else {
    parts.push('store off');
  }
  return `status: ${parts.join(' · ')}`;
}

/**
 * On a terminal, the status line on stderr every `everyMs`, as a whole line (log lines interleave with it
 * cleanly). Off a terminal nothing: logs and /metrics say the same to machines. Returns a stop function.
 */
export function startRunStatus(
  source: RunStatusSource,
  everyMs = 30_000,
  enabled = process.stderr.isTTY === true,
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): () => void {
  if (!enabled) return () => {};
  const timer = setInterval(() => {
    runStatusLine(source).then(write, () => {});
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
