import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsRenderer, negotiateFormat } from '../../exporter/http/exposition.js';
import { parseListen } from '../../exporter/http/server.js';
import { recorder, testBed, waitFor } from '../ingest/support/harness.js';

const bed = testBed();
afterEach(() => bed.cleanup());

describe('metrics exposition', () => {
  it('serves OpenMetrics only to scrapers that prefer it', () => {
    expect(negotiateFormat(undefined)).toBe('prometheus');
    expect(negotiateFormat('*/*')).toBe('prometheus');
    expect(negotiateFormat('text/plain;version=0.0.4')).toBe('prometheus');
    // What Prometheus 3 sends by default.
    expect(
      negotiateFormat(
        'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2',
      ),
    ).toBe('openmetrics');
    expect(negotiateFormat('text/plain;q=0.9, application/openmetrics-text;q=0.5')).toBe('prometheus');
    expect(negotiateFormat('application/openmetrics-text;q=0')).toBe('prometheus');
  });

  it('keeps counter names intact in the classic format after an OpenMetrics render', async () => {
    const registry = new Registry();
    new Counter({ name: 'dvm_exporter_things_total', help: 'things', registers: [registry] }).inc(3);
    const renderer = new MetricsRenderer(registry);
    const [om, classic] = await Promise.all([renderer.render('openmetrics'), renderer.render('prometheus')]);
    expect(om).toContain('# TYPE dvm_exporter_things counter\ndvm_exporter_things_total 3');
    expect(classic).toContain('# TYPE dvm_exporter_things_total counter\ndvm_exporter_things_total 3');
    expect(registry.contentType).toBe(Registry.PROMETHEUS_CONTENT_TYPE);
  });

  it('reads HOST:PORT, with IPv6 hosts in brackets', () => {
    expect(parseListen('0.0.0.0:9890')).toEqual({ host: '0.0.0.0', port: 9890 });
    expect(parseListen('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(() => parseListen('localhost')).toThrow(/listen/);
    expect(() => parseListen('h:70000')).toThrow(/listen/);
  });
});

describe('readiness', () => {
  it('is not ready while no relay is connected, and ready once one is; relay secrets are never shown', async () => {
    const r = await bed.relay();
    await r.stop();
    // The relay takes any path and query: the configured URL carries a token that must not be shown.
    const withToken = { ...r, url: `${r.url}/?token=secret` } as typeof r;
    const running = await bed.exporter([withToken], recorder());
    const readyz = async () => {
      const res = await fetch(`${running.http.url}/readyz`);
      return { status: res.status, body: (await res.json()) as { reasons: string[] } };
    };
    expect(await readyz()).toEqual({ status: 503, body: { ready: false, reasons: ['no relay connected'] } });
    await r.restart();
    await waitFor(async () => (await readyz()).status === 200, 'ready after the relay came up');
    const relays = (await (await fetch(`${running.http.url}/api/relays`)).json()) as {
      relays: { url: string }[];
    };
    expect(relays.relays.map((x) => x.url)).toEqual([`${r.url}/?token=***`]);
    expect(await (await fetch(`${running.http.url}/metrics`)).text()).not.toContain('secret');
  });
});
