import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { parseListen } from '../../exporter/http/server.js';
import { render } from '../../exporter/sinks/metrics/exposition.js';
import { recorder, testBed, waitFor } from '../sources/support/harness.js';

const bed = testBed();
afterEach(() => bed.cleanup());

describe('metrics exposition', () => {
  it('keeps counter names intact in the classic format while an OpenMetrics render runs', async () => {
    const registry = new Registry();
    new Counter({ name: 'dvm_exporter_things_total', help: 'things', registers: [registry] }).inc(3);
    const [om, classic] = await Promise.all([
      render(registry, 'openmetrics'),
      render(registry, 'prometheus'),
    ]);
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
    const r = await bed.memoryRelay();
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
