import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { configSecrets } from '../../exporter/app/secrets.js';
import { redactText, redactUrl, secretList, urlSecrets } from '../../exporter/base/redact.js';
import { loadConfig } from '../../exporter/config/load.js';
import { displayUrls } from '../../exporter/sources/relay/ingest.js';
import { describeTarget } from '../../exporter/store/target.js';

describe('redactUrl', () => {
  it.each([
    // A password containing `@`: WHATWG URL ends the userinfo at the last `@` before the host.
    ['ws://bob:PW@gamma333@relay.example', 'ws://bob:***@relay.example'],
    ['wss://bob:a@b@c@relay.example:7447/path', 'wss://bob:***@relay.example:7447/path'],
    // A user-only token is the secret itself.
    ['wss://TOKEN123@relay.example', 'wss://***@relay.example'],
    ['ws://:onlypass@relay.example/', 'ws://:***@relay.example/'],
    // Query tokens under any name; names kept, values masked; bare values masked too.
    ['wss://relay.example/?token=abc&auth=def', 'wss://relay.example/?token=***&auth=***'],
    [
      'wss://relay.example/v1?key=1&password=2&secret=3&apikey=4&access_token=5',
      'wss://relay.example/v1?key=***&password=***&secret=***&apikey=***&access_token=***',
    ],
    ['wss://relay.example/?abcdef', 'wss://relay.example/?***'],
    ['https://u:p@collector.example/v1/traces#frag', 'https://u:***@collector.example/v1/traces#***'],
    // Everything at once.
    ['ws://u:p@ss@h.example:1/x?token=t', 'ws://u:***@h.example:1/x?token=***'],
    // No secret: shown exactly as given (no trailing slash added, case kept).
    ['wss://relay.damus.io', 'wss://relay.damus.io'],
    ['ws://127.0.0.1:7000', 'ws://127.0.0.1:7000'],
    ['http://clickhouse:8123/dvm', 'http://clickhouse:8123/dvm'],
    // An `@` in the path is not userinfo.
    ['wss://relay.example/a@b', 'wss://relay.example/a@b'],
    // Not a URL at all: masked whole.
    ['ws://bob:pa/ss@host', 'ws://***'],
    ['not a url', '***'],
  ])('%s -> %s', (raw, shown) => {
    expect(redactUrl(raw)).toBe(shown);
  });

  // Oracle: the WHATWG URL parser (Node's `URL`), which is what the socket and fetch use. Whatever the
  // secret holds, the shown URL names the same host, port and path, and carries none of the secret.
  const secretChar = fc.constantFrom(..."abcXYZ019@:!$&'()*+,;=-._~%".split(''), '@', '@');
  const secret = fc.array(secretChar, { minLength: 6, maxLength: 24 }).map((c) => `S${c.join('')}Z`);
  it('masks any userinfo and query value, as WHATWG URL parses them', () => {
    fc.assert(
      fc.property(secret, secret, fc.constantFrom('pair', 'user', 'query'), (a, b, form) => {
        const enc = (s: string) => s.replace(/[/?#\\]/g, '');
        const raw =
          form === 'pair'
            ? `wss://bob:${enc(a)}@relay.example:7447/p`
            : form === 'user'
              ? `wss://${enc(a)}@relay.example:7447/p`
              : `wss://relay.example:7447/p?token=${encodeURIComponent(a)}&x=${encodeURIComponent(b)}`;
        if (!URL.canParse(raw)) return;
        const original = new URL(raw);
        const shown = redactUrl(raw);
        const parsed = new URL(shown);
        expect(parsed.host).toBe(original.host);
        expect(parsed.pathname).toBe(original.pathname);
        expect(parsed.password === '' || parsed.password === '***').toBe(true);
        // The user of a user:password pair is shown; a user alone is the secret.
        const userinfo = original.password ? original.password : original.username;
        for (const value of [userinfo, ...original.searchParams.values()]) {
          if (value.length < 4) continue;
          expect(shown).not.toContain(value);
          expect(shown).not.toContain(safeDecode(value));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('redactText', () => {
  it('redacts every URL in free text and in JSON log lines', () => {
    const line = JSON.stringify({
      msg: 'Request cannot be constructed from a URL that includes credentials: http://bob:PW@gamma333@host/',
      url: 'ws://TOKEN123@host:1/?token=abc',
    });
    const out = redactText(line);
    expect(JSON.parse(out)).toEqual({
      msg: 'Request cannot be constructed from a URL that includes credentials: http://bob:***@host/',
      url: 'ws://***@host:1/?token=***',
    });
  });

  it('masks known secrets wherever they appear, in raw, encoded and JSON-escaped forms', () => {
    const secrets = secretList(urlSecrets('ws://bob:PW@gam"ma333@host/?token=T0KEN'));
    expect(secrets).toContain('PW@gam"ma333');
    const text = JSON.stringify({
      notice: 'bad password PW@gam"ma333, token T0KEN',
      enc: 'PW%40gam%22ma333',
    });
    const out = redactText(text, secrets);
    for (const secret of ['PW@gam', 'ma333', 'T0KEN', 'PW%40']) expect(out).not.toContain(secret);
    expect(JSON.parse(out)).toEqual({ notice: 'bad password ***, token ***', enc: '***' });
  });

  it('leaves the user name of a user:password pair alone', () => {
    expect(urlSecrets('ws://bob:hunter22@host')).not.toContain('bob');
    expect(urlSecrets('ws://TOKEN123@host')).toContain('TOKEN123');
  });
});

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

describe('secrets of the configuration', () => {
  it('names the ClickHouse server without its password', () => {
    expect(describeTarget({ kind: 'server', url: 'http://dvm:s3@cret@ch:8123/dvm?password=x' })).toBe(
      'ClickHouse server http://dvm:***@ch:8123/dvm?password=***',
    );
  });

  it('collects every secret: relay, store and OTLP URLs, configured and OTEL_* headers', () => {
    const config = loadConfig({
      env: {
        DVM_EXPORTER_RELAYS: 'ws://bob:relayPass1@r.example,ws://relayTok2@r.example/?k=relayQ3',
        DVM_EXPORTER_CLICKHOUSE_URL: 'http://dvm:chPass4@ch:8123/dvm',
        DVM_EXPORTER_TRACING_HEADERS: 'x-key=hdrVal5',
      },
    });
    const secrets = configSecrets(config, {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otlp.example/?api_key=otelKey6',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20otelHdr7',
    });
    for (const secret of [
      'relayPass1',
      'relayTok2',
      'relayQ3',
      'chPass4',
      'hdrVal5',
      'otelKey6',
      'Bearer otelHdr7',
    ])
      expect(secrets).toContain(secret);
    expect(secrets).not.toContain('bob');
  });
});

describe('displayUrls', () => {
  it('keeps relays that differ only in their secrets apart (labels and cursor keys)', () => {
    expect(
      displayUrls(['ws://a:one1@h', 'ws://a:two2@h', 'ws://h/?t=x', 'ws://h/?t=y', 'ws://other']),
    ).toEqual(['ws://a:***@h', 'ws://a:***@h#2', 'ws://h/?t=***', 'ws://h/?t=***#2', 'ws://other']);
  });
});
