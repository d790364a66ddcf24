import { npubEncode, nsecEncode } from 'nostr-tools/nip19';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import { describe, expect, it } from 'vitest';
import { checkConfigOutput } from '../../exporter/cli/commands/check-config.js';
import { loadConfig } from '../../exporter/config/load.js';
import { notifierSettings } from '../../exporter/notify/index.js';

const secret = generateSecretKey();
const nsec = nsecEncode(secret);
const recipient = getPublicKey(generateSecretKey());
const dvm = getPublicKey(generateSecretKey());
const operator = getPublicKey(generateSecretKey());

describe('notification settings from the environment', () => {
  it('reads the key, recipients, relays and subscriptions, and check-config shows neither key nor token', () => {
    const config = loadConfig({
      env: {
        DVM_EXPORTER_NOTIFY_SECRET_KEY: nsec,
        DVM_EXPORTER_NOTIFY_RECIPIENTS: `${npubEncode(recipient)}, ${recipient}`,
        DVM_EXPORTER_NOTIFY_RELAYS: 'wss://dm.example,ws://127.0.0.1:7447',
        DVM_EXPORTER_NOTIFY_SUBSCRIPTIONS: `${npubEncode(dvm)}=${operator}`,
        DVM_EXPORTER_NOTIFY_WEBHOOK_TOKEN: 'token-of-sixteen-or-more',
      },
    });
    const settings = notifierSettings(config)!;
    expect(settings.recipients).toEqual([recipient]);
    expect(settings.relays).toEqual(['wss://dm.example', 'ws://127.0.0.1:7447']);
    expect([...settings.subscriptions]).toEqual([[dvm, operator]]);
    expect(Buffer.from(settings.secretKey).equals(Buffer.from(secret))).toBe(true);
    const shown = JSON.stringify(checkConfigOutput(config, {}));
    expect(shown).not.toContain(nsec);
    expect(shown).not.toContain('token-of-sixteen-or-more');
    expect(shown).toContain('"secretKey":"***"');
  });

  it('names the field, never the value, of a key that does not parse', () => {
    const bad = `${nsec.slice(0, -1)}x`;
    expect(() => loadConfig({ env: { DVM_EXPORTER_NOTIFY_SECRET_KEY: bad } })).toThrow(
      /^config: notify\.secretKey: must be an nsec1… key or 64 hex digits$/,
    );
    expect(() => loadConfig({ env: { DVM_EXPORTER_NOTIFY_RECIPIENTS: 'npub1nope' } })).toThrow(
      /notify\.recipients\.0/,
    );
  });

  it('uses the watched relays when no notification relays are given', () => {
    const config = loadConfig({
      env: { DVM_EXPORTER_NOTIFY_SECRET_KEY: nsec, DVM_EXPORTER_NOTIFY_RECIPIENTS: recipient },
    });
    expect(notifierSettings(config)!.relays).toEqual(config.ingest.relays);
    expect(notifierSettings(loadConfig({}))).toBeNull();
  });
});
