import { createServer as createHttpServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { parseExposition } from '../metrics/exposition-parse.js';
import {
  acceptedAll,
  forwardedIds,
  publish,
  recorder,
  simulatedEvents,
  testBed,
  waitFor,
} from '../sources/support/harness.js';
import { freePort } from '../support/ports.js';

/**
 * `run` whose ClickHouse server is down at start: it starts, serves /healthz and /metrics, ingests and
 * counts live, buffers store rows within the bound, says why in /readyz, and shuts down promptly.
 */

const bed = testBed();
afterEach(() => bed.cleanup());

const NOW = Math.floor(Date.now() / 1000);

/** Something on the port that is not ClickHouse: every request answered 501. */
async function answering501(): Promise<{ port: number; server: Server }> {
  const server = createHttpServer((_req, res) => {
    res.writeHead(501, { 'content-type': 'text/plain' });
    res.end('Not Implemented\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

function sample(text: string, name: string): number {
  return parseExposition(text)
    .filter((s) => s.name === name)
    .reduce((sum, s) => sum + s.value, 0);
}

describe('run with its ClickHouse server down', () => {
  for (const outage of ['refused connections', 'HTTP 501'] as const) {
    it(`starts, serves /healthz and /metrics, ingests, and reports the outage (${outage})`, {
      timeout: 90_000,
    }, async () => {
      let port: number;
      if (outage === 'HTTP 501') {
        const http = await answering501();
        bed.defer(() => new Promise<void>((resolve) => http.server.close(() => resolve())));
        port = http.port;
      } else port = await freePort();
      const r = await bed.relay();
      const events = simulatedEvents(17, 30, NOW - 120);
      const ids = forwardedIds(events, await publish(r.url, events));
      const rec = recorder();
      const running = await bed.storeExporter([r], {
        clickhouse: { url: `http://default:pw@127.0.0.1:${port}/dvm` },
        recorder: rec,
      });
      const { url } = running.http;
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      // Ingestion goes on: every event reaches the other sinks while the store is down.
      await waitFor(() => acceptedAll(rec, ids), 'events ingested with the store down', 60_000);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(sample(metrics, 'dvm_exporter_clickhouse_up')).toBe(0);
      expect(sample(metrics, 'dvm_exporter_clickhouse_buffered_rows')).toBeGreaterThanOrEqual(ids.length);
      expect(sample(metrics, 'dvm_exporter_accepted_events_total')).toBe(rec.accepted.length);
      const readyz = await fetch(`${url}/readyz`);
      expect(readyz.status).toBe(503);
      const { reasons } = (await readyz.json()) as { reasons: string[] };
      expect(
        reasons.some((reason) => /^clickhouse: store unreachable for \d+ s \(.+\), retrying/.test(reason)),
      ).toBe(true);
      // The password in the URL appears nowhere.
      expect(metrics).not.toContain(':pw@');
      expect(JSON.stringify(reasons)).not.toContain(':pw@');
      await running.stop();
    });
  }

  it('pauses ingestion at the queue bound, counts the pause while it lasts, and says so in /readyz', {
    timeout: 90_000,
  }, async () => {
    const port = await freePort();
    const r = await bed.relay();
    const maxQueuedRows = 10;
    const events = simulatedEvents(18, 60, NOW - 120);
    await publish(r.url, events);
    const running = await bed.storeExporter([r], {
      clickhouse: { url: `http://127.0.0.1:${port}/dvm`, maxQueuedRows },
    });
    const { url } = running.http;
    const metrics = () => fetch(`${url}/metrics`).then((res) => res.text());
    // The pause has not ended (the store stays down), yet its time shows.
    await waitFor(
      async () => sample(await metrics(), 'dvm_exporter_ingest_paused_seconds_total') >= 1,
      'pause time counted while the pause lasts',
      30_000,
    );
    const text = await metrics();
    expect(sample(text, 'dvm_exporter_clickhouse_saturated')).toBe(1);
    expect(sample(text, 'dvm_exporter_clickhouse_buffered_rows')).toBeLessThanOrEqual(2 * maxQueuedRows);
    expect(sample(text, 'dvm_exporter_accepted_events_total')).toBeLessThan(events.length);
    const { reasons } = (await (await fetch(`${url}/readyz`)).json()) as { reasons: string[] };
    expect(reasons.some((reason) => reason.includes('store queue full: ingestion paused'))).toBe(true);
  });
});
