import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpServer } from '../../exporter/http/server.js';
import { traceIdForJob } from '../../exporter/sinks/metrics/exemplars.js';
import {
  negotiateFormat,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
  render,
  writeMetricsFile,
} from '../../exporter/sinks/metrics/exposition.js';
import { key, request, result, T0 } from '../support/dvm-events.js';
import { MetricsHarness } from './harness.js';
import { serveMetrics } from './metrics-server.js';

const A = key('dvm-a');
/** What Prometheus 2.x sends when it scrapes (source below). */
const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

function chainHarness() {
  const parent = request({ kind: 5000, at: T0 });
  const child = request({ kind: 5002, at: T0 + 1, jobInputs: [parent.event.id] });
  const h = new MetricsHarness().feed(
    parent,
    child,
    result({ dvm: A, requestId: parent.event.id, at: T0 + 4, requestKind: 5000 }),
    result({ dvm: A, requestId: child.event.id, at: T0 + 8, requestKind: 5002 }),
  );
  return { h, parent, child };
}

describe('content negotiation', () => {
  it('serves OpenMetrics to Prometheus and the text format to everyone else', () => {
    expect(negotiateFormat(PROMETHEUS_ACCEPT)).toBe('openmetrics');
    expect(negotiateFormat('application/openmetrics-text; version=1.0.0; charset=utf-8')).toBe('openmetrics');
    expect(negotiateFormat('text/plain;version=0.0.4')).toBe('prometheus');
    expect(negotiateFormat('*/*')).toBe('prometheus');
    expect(negotiateFormat(undefined)).toBe('prometheus');
    expect(negotiateFormat('application/openmetrics-text;q=0.2,text/plain;q=0.9')).toBe('prometheus');
    expect(negotiateFormat('application/openmetrics-text;q=0')).toBe('prometheus');
  });
});

describe('exemplars', () => {
  it("carry the trace id of the job's chain on histogram buckets, in OpenMetrics only", async () => {
    const { h, parent } = chainHarness();
    const openMetrics = await h.scrape('openmetrics');
    const traceId = parent.event.id.slice(0, 32);
    expect(traceIdForJob(parent.event.id)).toBe(traceId);
    // The child job (kind 5002) took 7 s: its le="10" bucket carries the chain root's trace id.
    const bucket = openMetrics
      .split('\n')
      .find(
        (line) =>
          line.startsWith('dvm_job_duration_seconds_bucket{') &&
          line.includes('kind="5002"') &&
          line.includes('le="10"'),
      );
    expect(bucket).toMatch(new RegExp(`^\\S+ 1 # \\{traceId="${traceId}"\\} 7 \\d+(\\.\\d+)?$`));
    expect(await h.scrape('prometheus')).not.toContain('traceId');
  });
});

describe('rendering', () => {
  it('names counter families without _total in OpenMetrics, and leaves the text format untouched', async () => {
    const { h } = chainHarness();
    const [openMetrics, text] = await Promise.all([h.scrape('openmetrics'), h.scrape('prometheus')]);
    expect(openMetrics).toContain('# TYPE dvm_job_requests counter');
    expect(openMetrics).toMatch(/^dvm_job_requests_total\{kind="5000",encrypted="false"\} 1$/m);
    expect(openMetrics.endsWith('# EOF\n')).toBe(true);
    expect(text).toContain('# TYPE dvm_job_requests_total counter');
    expect(await h.scrape('prometheus')).toBe(text);
  });

  it('writes the text exposition to a file, creating its folder', async () => {
    const { h } = chainHarness();
    const dir = await mkdtemp(join(tmpdir(), 'metrics-out-'));
    try {
      const path = join(dir, 'nested', 'metrics.prom');
      await writeMetricsFile(h.registry, path);
      const written = await readFile(path, 'utf8');
      expect(written).toBe(await render(h.registry, 'prometheus'));
      expect(written).toMatch(
        /^dvm_job_results_total\{kind="5002",dvm="[0-9a-f]{64}",encrypted="false"\} 1$/m,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/*
 * What scrapers ask for and what they must be answered with, from upstream source:
 * - the Accept headers Prometheus sends: prometheus/prometheus v2.42.0 scrape/scrape.go
 *   (`scrapeAcceptHeader`), and v3.4.0 scrape/scrape.go `acceptHeader` over config/config.go
 *   `DefaultScrapeProtocols` and `ScrapeProtocolsHeaders` (escaping=allow-utf-8 with UTF-8 names);
 * - the two content types: siimon/prom-client v15.1.3 lib/registry.js (`PROMETHEUS_CONTENT_TYPE`,
 *   `OPENMETRICS_CONTENT_TYPE`).
 */
const PROMETHEUS_3_ACCEPT =
  'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2';
const TEXT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
const OPENMETRICS_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

describe("the HTTP server's /metrics route", () => {
  const { h, parent } = chainHarness();
  let server: HttpServer;
  beforeAll(async () => {
    server = await serveMetrics(h.registry);
  });
  afterAll(() => server.close());
  const scrape = (accept?: string) =>
    fetch(`${server.url}/metrics`, accept === undefined ? {} : { headers: { accept } });

  it('upstream content types are the ones the exposition names', () => {
    expect([PROMETHEUS_CONTENT_TYPE, OPENMETRICS_CONTENT_TYPE]).toEqual([TEXT_TYPE, OPENMETRICS_TYPE]);
  });

  it.each([
    ['Prometheus 2', PROMETHEUS_ACCEPT],
    ['Prometheus 3', PROMETHEUS_3_ACCEPT],
    ['OpenMetrics only', 'application/openmetrics-text; version=1.0.0'],
  ])('answers %s with OpenMetrics, exemplars included', async (_, accept) => {
    const scraped = await scrape(accept);
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toBe(OPENMETRICS_TYPE);
    expect(scraped.headers.get('vary')).toBe('Accept');
    const body = await scraped.text();
    expect(body.endsWith('# EOF\n')).toBe(true);
    expect(body).toContain('# TYPE dvm_job_requests counter');
    expect(body).toContain(`# {traceId="${parent.event.id.slice(0, 32)}"}`);
  });

  it.each([
    ['no Accept header', undefined],
    ['the text format', 'text/plain;version=0.0.4'],
    ['anything', '*/*'],
    ['text ranked above OpenMetrics', 'application/openmetrics-text;q=0.2,text/plain;q=0.9'],
    ['OpenMetrics refused', 'application/openmetrics-text;q=0'],
  ])('answers %s with the text format, without exemplars', async (_, accept) => {
    const scraped = await scrape(accept);
    expect(scraped.headers.get('content-type')).toBe(TEXT_TYPE);
    expect(scraped.headers.get('vary')).toBe('Accept');
    const body = await scraped.text();
    expect(body).toContain('# TYPE dvm_job_requests_total counter');
    expect(body).not.toContain('# EOF');
    expect(body).not.toContain('traceId');
  });
});
