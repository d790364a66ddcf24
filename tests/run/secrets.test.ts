import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { forwardedIds, publish, simulatedEvents, testBed, waitFor } from '../sources/support/harness.js';
import { type SpawnedCli, startCli } from '../support/cli.js';
import type { TestRelay } from '../support/relay.js';

/**
 * End to end: `run` against the real test relay reached through URLs carrying each form of credential,
 * with debug logs on. No secret may appear in /metrics, /api/relays, the logs, the cursor file, the
 * store's rows or `check-config`; the relays still connect, and their NIP-11 documents are fetched with
 * the same credentials the websocket handshake sends.
 */

const bed = testBed();
afterEach(() => bed.cleanup());

/** Every secret below; none may be shown anywhere. */
const SECRETS = [
  'PW@gamma333',
  'gamma333',
  'PW%40gamma333',
  'TOKEN7u5er',
  'Qtoken9x',
  'Akey3zz',
  'OtlpPass55',
  'OtlpKey66',
  'OtlpHdr99',
  'ChPass77',
  'DeadPass88',
];

function relayUrls(r: TestRelay): string[] {
  return [
    // A password containing `@`.
    `ws://bob:PW@gamma333@127.0.0.1:${r.port}`,
    // A user-only token.
    `ws://TOKEN7u5er@127.0.0.1:${r.port}/`,
    // Query tokens.
    `ws://127.0.0.1:${r.port}/?token=Qtoken9x&apikey=Akey3zz`,
  ];
}

function shownUrls(r: TestRelay): string[] {
  return [
    `ws://bob:***@127.0.0.1:${r.port}`,
    `ws://***@127.0.0.1:${r.port}/`,
    `ws://127.0.0.1:${r.port}/?token=***&apikey=***`,
  ];
}

/** The OTLP target carries secrets too; nothing listens there, so export errors get logged. */
const OTEL_ENV = {
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otlpuser:OtlpPass55@127.0.0.1:9/?api_key=OtlpKey66',
  OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20OtlpHdr99',
};

function cli(args: readonly string[], env: Record<string, string>): SpawnedCli {
  return startCli(args, env, bed.defer);
}

function expectNoSecret(where: string, text: string): void {
  for (const secret of SECRETS) expect(text.includes(secret), `${secret} in ${where}`).toBe(false);
}

interface RelaysApi {
  relays: {
    url: string;
    connected: boolean;
    relayInfo: { name: string | null } | null;
    counts: { firstSeen: number };
    lastRefusal: { message: string } | null;
  }[];
}

const basicAuth = (userinfo: string) => `Basic ${Buffer.from(userinfo).toString('base64')}`;

describe('secrets in relay, store and OTLP URLs', () => {
  it.each([
    ['without the store (cursor file)', false],
    ['with the embedded store (rows)', true],
  ])('are shown nowhere by run %s', { timeout: 180_000 }, async (_name, store) => {
    const r = await bed.relay({ info: { name: 'secret test relay', software: 'test' } });
    // And one that is down: its failures are logged at warn, then at debug, with their details.
    const dead = await bed.relay();
    await dead.stop();
    const deadUrl = `ws://deaduser:DeadPass88@127.0.0.1:${dead.port}/`;
    const dataDir = bed.dataDir();
    const env = {
      ...OTEL_ENV,
      DVM_EXPORTER_RELAYS: [...relayUrls(r), deadUrl].join(','),
      DVM_EXPORTER_INGEST_RECONNECT_MIN_SECONDS: '0.1',
    };
    const run = cli(
      [
        'run',
        '--listen',
        '127.0.0.1:0',
        '--data-dir',
        dataDir,
        ...(store ? [] : ['--no-store']),
        '--log-level',
        'debug',
      ],
      env,
    );
    const url = await waitFor(
      () => /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(run.stderr())?.[1],
      'HTTP server up',
      60_000,
    );
    const relaysApi = async () => (await (await fetch(`${url}/api/relays`)).json()) as RelaysApi;
    await waitFor(async () => {
      const { relays } = await relaysApi();
      return relays.filter((x) => x.connected && x.relayInfo !== null).length === 3;
    }, 'every live relay connected, with its NIP-11 document');

    // (Before the test publishes anything.) NIP-11 was fetched with the credentials the websocket handshake carried (ws decodes them).
    const auth = (kind: 'upgrade' | 'info') =>
      new Set(r.httpRequests.filter((q) => q.kind === kind).map((q) => `${q.path} ${q.authorization}`));
    expect(auth('upgrade')).toEqual(
      new Set([
        `/ ${basicAuth('bob:PW@gamma333')}`,
        `/ ${basicAuth('TOKEN7u5er:')}`,
        '/?token=Qtoken9x&apikey=Akey3zz null',
      ]),
    );
    expect(auth('info')).toEqual(auth('upgrade'));

    const events = simulatedEvents(83, 30, Math.floor(Date.now() / 1000) - 60);
    const expected = forwardedIds(events, await publish(r.url, events));
    await waitFor(async () => {
      const { relays } = await relaysApi();
      return relays.reduce((sum, x) => sum + x.counts.firstSeen, 0) === expected.length;
    }, 'events ingested');
    // A relay that echoes the credentials it was given.
    r.sendRaw(JSON.stringify(['NOTICE', 'auth failed: PW@gamma333 / TOKEN7u5er / Qtoken9x']));
    r.sendRaw('["EVENT"]');
    await waitFor(
      async () => (await relaysApi()).relays.filter((x) => x.lastRefusal !== null).length === 3,
      'NOTICE seen',
    );
    await waitFor(() => run.stderr().includes('"msg":"invalid frame"'), 'a debug line');
    await waitFor(() => run.stderr().includes('"msg":"relay unreachable"'), 'a repeated failure at debug');

    const metrics = await (await fetch(`${url}/metrics`)).text();
    const api = await relaysApi();
    const apiText = JSON.stringify(api);

    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    const logs = run.stderr();

    // Shown, redacted, everywhere a relay is named.
    for (const shown of shownUrls(r)) {
      expect(metrics).toContain(`nostr_relay_up{relay="${shown}"} 1`);
      expect(api.relays.map((x) => x.url)).toContain(shown);
      expect(logs).toContain(`"relay":"${shown}"`);
    }
    const live = api.relays.slice(0, 3);
    expect(live.map((x) => x.relayInfo?.name)).toEqual(Array(3).fill('secret test relay'));
    expect(live.every((x) => x.lastRefusal?.message === 'auth failed: *** / *** / ***')).toBe(true);
    const down = `ws://deaduser:***@127.0.0.1:${dead.port}/`;
    expect(api.relays[3]?.url).toBe(down);
    expect(logs).toContain(`"relay":"${down}"`);
    // The first failure at warn, once; the following ones at debug.
    expect(logs.match(/"level":40,[^\n]*"msg":"relay unreachable; retrying with backoff"/g)).toHaveLength(1);
    // Debug lines were written (and scrubbed): the test looked at every level.
    expect(logs).toMatch(/"level":20,/);

    expectNoSecret('/metrics', metrics);
    expectNoSecret('/api/relays', apiText);
    expectNoSecret('logs', logs);

    if (!store) {
      const cursorFile = readFileSync(join(dataDir, 'cursors.json'), 'utf8');
      expect(Object.keys(JSON.parse(cursorFile).relays).sort()).toEqual(shownUrls(r).sort());
      expectNoSecret('cursors.json', cursorFile);
    } else {
      expect(existsSync(join(dataDir, 'cursors.json'))).toBe(false);
      const sql = cli(
        [
          'sql',
          '--data-dir',
          dataDir,
          '--format',
          'json',
          "SELECT 'events' AS t, first_relay AS relay FROM events UNION ALL SELECT 'sightings', relay FROM relay_sightings UNION ALL SELECT 'cursors', relay FROM relay_cursors",
        ],
        {},
      );
      expect(await sql.exit, sql.stderr()).toBe(0);
      const rows = sql
        .stdout()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { t: string; relay: string });
      const relaysIn = (t: string) => new Set(rows.filter((row) => row.t === t).map((row) => row.relay));
      for (const shown of shownUrls(r)) {
        expect(relaysIn('sightings')).toContain(shown);
        expect(relaysIn('cursors')).toContain(shown);
      }
      expectNoSecret('store rows', sql.stdout());
    }

    const check = cli(['check-config', '--clickhouse-url', 'http://chuser:ChPass77@127.0.0.1:8123/dvm'], env);
    expect(await check.exit, check.stderr()).toBe(0);
    const shownConfig = JSON.parse(check.stdout());
    expect(shownConfig.ingest.relays).toEqual([...shownUrls(r), down]);
    expect(shownConfig.clickhouse.url).toBe('http://chuser:***@127.0.0.1:8123/dvm');
    expect(shownConfig.effectiveTracing).toEqual({
      endpoint: 'http://otlpuser:***@127.0.0.1:9/v1/traces?api_key=***',
      source: 'OTEL_EXPORTER_OTLP_ENDPOINT',
      headers: { authorization: '***' },
      timeoutMillis: null,
    });
    expectNoSecret('check-config', check.stdout() + check.stderr());
  });
});
