import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { forwardedIds, publish, simulatedEvents, testBed, waitFor } from '../sources/support/harness.js';
import { type SpawnedCli, startCli } from '../support/cli.js';

const bed = testBed();
afterEach(() => bed.cleanup());

function cli(args: readonly string[], env: Record<string, string> = {}): SpawnedCli {
  return startCli(args, env, bed.defer);
}

describe('dvm-exporter check-config and bad configuration', () => {
  it('prints the effective configuration from the environment, with secrets masked', async () => {
    const run = cli(['check-config'], {
      DVM_EXPORTER_RELAYS: 'wss://user:hunter2@relay.example/?token=abc, ws://127.0.0.1:7777',
      DVM_EXPORTER_INGEST_PING_INTERVAL_SECONDS: '12',
    });
    expect(await run.exit).toBe(0);
    const config = JSON.parse(run.stdout());
    expect(config.ingest.relays).toEqual(['wss://user:***@relay.example/?token=***', 'ws://127.0.0.1:7777']);
    expect(config.ingest.pingIntervalSeconds).toBe(12);
    expect(run.stdout()).not.toContain('hunter2');
  });

  it('shows where traces go when only the OTEL_* variables say so', { timeout: 120_000 }, async () => {
    const off = cli(['check-config'], {});
    const general = cli(['check-config'], { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318' });
    const specific = cli(['check-config'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318/v1/traces?token=abc123',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-api-key=abc456',
    });
    const flag = cli(['check-config', '--otlp-endpoint', 'http://collector:4318'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318',
    });
    const disabled = cli(['check-config'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318',
      OTEL_SDK_DISABLED: 'true',
    });
    const tracing = async (run: ReturnType<typeof cli>) => {
      expect(await run.exit, run.stderr()).toBe(0);
      return JSON.parse(run.stdout()).effectiveTracing;
    };
    // cli() passes only PATH, HOME and what each case sets, so the parent's OTEL_* never leak in.
    expect(await tracing(off)).toBeNull();
    expect(await tracing(general)).toMatchObject({
      endpoint: 'http://jaeger:4318/v1/traces',
      source: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    });
    expect(await tracing(specific)).toMatchObject({
      endpoint: 'http://tempo:4318/v1/traces?token=***',
      source: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
      headers: { 'x-api-key': '***' },
    });
    expect(specific.stdout()).not.toContain('abc');
    expect(await tracing(flag)).toMatchObject({
      endpoint: 'http://collector:4318/v1/traces',
      source: 'tracing.otlpEndpoint',
    });
    expect(await tracing(disabled)).toBeNull();
  });

  it('exits 2 with one line naming the bad field', { timeout: 120_000 }, async () => {
    const cases: [string[], Record<string, string>, string][] = [
      [
        ['check-config'],
        { DVM_EXPORTER_INGEST_DEAD_SOCKET_SECONDS: 'soon' },
        'DVM_EXPORTER_INGEST_DEAD_SOCKET_SECONDS',
      ],
      [['check-config', '--relay', 'https://relay.example'], {}, 'ingest.relays.0'],
      [['run', '--listen', 'localhost'], {}, 'listen'],
      [
        ['run'],
        { DVM_EXPORTER_METRICS_DVM_LABEL_CAPP: '7' },
        'unknown environment variable DVM_EXPORTER_METRICS_DVM_LABEL_CAPP (did you mean DVM_EXPORTER_METRICS_DVM_LABEL_CAP?)',
      ],
      [
        ['check-config'],
        { DVM_EXPORTER_INGEST_RELAYS: 'ws://a.example', DVM_EXPORTER_RELAYS: 'ws://b.example' },
        'DVM_EXPORTER_INGEST_RELAYS and DVM_EXPORTER_RELAYS',
      ],
    ];
    const runs = cases.map(([args, env]) => cli(args, env));
    for (const [i, run] of runs.entries()) {
      const field = cases[i]?.[2] as string;
      expect(await run.exit, field).toBe(2);
      expect(run.stderr()).toContain(field);
      expect(run.stderr().trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('dvm-exporter run', () => {
  it('serves its endpoints, ingests, and on SIGTERM flushes, saves the cursor and exits 0', async () => {
    const r = await bed.relay();
    const dataDir = bed.dataDir();
    const run = cli(
      [
        'run',
        '--relay',
        r.url,
        '--listen',
        '127.0.0.1:0',
        '--data-dir',
        dataDir,
        '--no-store',
        '--log-level',
        'info',
      ],
      { DVM_EXPORTER_INGEST_RECONNECT_MIN_SECONDS: '0.1' },
    );
    const url = await waitFor(
      () => /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(run.stderr())?.[1],
      'HTTP server up',
      20_000,
    );
    await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, 'ready (relay connected)');

    const landing = await (await fetch(`${url}/`)).text();
    for (const path of ['/metrics', '/healthz', '/readyz', '/api/relays'])
      expect(landing).toContain(`href="${path}"`);
    expect(await (await fetch(`${url}/healthz`)).text()).toBe('ok\n');

    const events = simulatedEvents(81, 40, Math.floor(Date.now() / 1000) - 60);
    const expected = forwardedIds(events, await publish(r.url, events));
    await waitFor(async () => {
      const status = (await (await fetch(`${url}/api/relays`)).json()) as {
        relays: { counts: { firstSeen: number } }[];
      };
      return status.relays[0]?.counts.firstSeen === expected.length;
    }, 'events ingested');

    const text = await fetch(`${url}/metrics`);
    expect(text.headers.get('content-type')).toContain('text/plain');
    const plain = await text.text();
    expect(plain).toContain(`nostr_relay_up{relay="${r.url}"} 1`);
    expect(plain).toContain(`nostr_relay_first_seen_events_total{relay="${r.url}"} ${expected.length}`);
    const om = await fetch(`${url}/metrics`, {
      headers: { accept: 'application/openmetrics-text;version=1.0.0;q=0.9,text/plain;version=0.0.4;q=0.5' },
    });
    expect(om.headers.get('content-type')).toContain('application/openmetrics-text');
    const openMetrics = await om.text();
    expect(openMetrics).toContain('# TYPE nostr_relay_first_seen_events counter');
    expect(openMetrics).toContain(`nostr_relay_first_seen_events_total{relay="${r.url}"} ${expected.length}`);
    expect(openMetrics.trimEnd().endsWith('# EOF')).toBe(true);
    // The classic format is unchanged after an OpenMetrics render.
    expect(await (await fetch(`${url}/metrics`)).text()).toContain(
      '# TYPE nostr_relay_first_seen_events_total counter',
    );

    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    expect(run.stderr()).toContain('"msg":"stopped"');
    const state = JSON.parse(readFileSync(join(dataDir, 'cursors.json'), 'utf8'));
    expect(state.relays[r.url]).toBeGreaterThan(0);
    expect(existsSync(join(dataDir, 'cursors.json'))).toBe(true);
  });
});
