import { npubEncode, nsecEncode } from 'nostr-tools/nip19';
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningExporter, startExporter } from '../../exporter/app/run-assembly.js';
import { type ConfigInput, configSchema } from '../../exporter/config/schema.js';
import { render } from '../../exporter/sinks/metrics/exposition.js';
import { publish, quietLogger, TEST_TUNING, testBed, waitFor } from '../sources/support/harness.js';
import { freePort } from '../support/ports.js';
import { openDirectMessages, webhookBody } from './support.js';

const bed = testBed();
afterEach(() => bed.cleanup());

const exporterKey = generateSecretKey();
const recipientKey = generateSecretKey();
const recipient = getPublicKey(recipientKey);
const operatorKey = generateSecretKey();
const operator = getPublicKey(operatorKey);
const DVM = 'd'.repeat(64);
const TOKEN = 'a-shared-token-for-alertmanager';

const firing = webhookBody([
  {
    labels: { alertname: 'DvmDown', dvm: DVM, name: 'Lighthouse', severity: 'critical' },
    annotations: { summary: 'DVM Lighthouse is down' },
  },
]);

async function exporterWith(relays: string[], notify: ConfigInput['notify']): Promise<RunningExporter> {
  const config = configSchema.parse({
    listen: '127.0.0.1:0',
    dataDir: bed.dataDir(),
    logLevel: 'silent',
    ingest: { relays, reconnectMinSeconds: 0.05, reconnectMaxSeconds: 0.5 },
    clickhouse: { enabled: false },
    notify,
  });
  const running = await startExporter(config, { logger: quietLogger(), sinks: [], tuning: TEST_TUNING });
  bed.defer(() => running.stop());
  return running;
}

const post = (url: string, body: unknown, token?: string) =>
  fetch(`${url}/api/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const count = async (running: RunningExporter, result: string) => {
  const text = await render(running.assembly.registry, 'prometheus');
  return Number(
    new RegExp(`^dvm_exporter_notifications_total\\{result="${result}"\\} (\\d+)$`, 'm').exec(text)?.[1],
  );
};

describe('POST /api/alertmanager', () => {
  it('turns a firing webhook into a gift-wrapped DM that only the recipient opens, naming the alert and the DVM', async () => {
    const relay = await bed.memoryRelay();
    const running = await exporterWith([relay.url], {
      secretKey: nsecEncode(exporterKey),
      recipients: [npubEncode(recipient)],
    });
    const res = await post(running.http.url, firing);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ queued: 1, duplicates: 0, rateLimited: 0, queueFull: 0 });
    const opened = await waitFor(() => {
      const found = openDirectMessages(relay.storedEvents(), recipientKey);
      return found.length > 0 ? found : undefined;
    }, 'the DM on the relay');
    const [{ wrap, rumor }] = opened as [(typeof opened)[number]];
    // NIP-59: the wrap is kind 1059 by a one-time key, p-tagged to the recipient; NIP-17: a kind 14 inside.
    expect(wrap.kind).toBe(1059);
    expect(wrap.pubkey).not.toBe(getPublicKey(exporterKey));
    expect(wrap.tags).toEqual([['p', recipient]]);
    expect(rumor.kind).toBe(14);
    expect(rumor.pubkey).toBe(getPublicKey(exporterKey));
    expect(rumor.content).toContain('FIRING: DvmDown');
    expect(rumor.content).toContain(`DVM: Lighthouse ${npubEncode(DVM)}`);
    // Nobody else can open it.
    expect(openDirectMessages(relay.storedEvents(), operatorKey)).toEqual([]);
    await running.notifications!.notifier.idle();
    expect(await count(running, 'sent')).toBe(1);
    const status = (await (await fetch(`${running.http.url}/api/alertmanager`)).json()) as {
      deliveries: { result: string; relays: { relay: string; result: string }[] }[];
    };
    expect(status.deliveries[0]).toMatchObject({
      result: 'sent',
      relays: [{ relay: relay.url, result: 'accepted' }],
    });
  });

  it("sends a retried webhook once, and a DVM's alerts to its operator too, also on their kind 10050 relays", async () => {
    const relay = await bed.memoryRelay();
    const dmRelay = await bed.memoryRelay();
    // The operator's DM relay list (NIP-17 kind 10050), on the notification relay.
    const list = finalizeEvent(
      { kind: 10050, created_at: Math.floor(Date.now() / 1000), tags: [['relay', dmRelay.url]], content: '' },
      operatorKey,
    );
    expect(await publish(relay.url, [list])).toEqual([list.id]);
    const running = await exporterWith([relay.url], {
      secretKey: Buffer.from(exporterKey).toString('hex'),
      recipients: [recipient],
      subscriptions: { [npubEncode(DVM)]: npubEncode(operator) },
    });
    expect(await (await post(running.http.url, firing)).json()).toMatchObject({ queued: 2 });
    expect(await (await post(running.http.url, firing)).json()).toMatchObject({ queued: 0, duplicates: 2 });
    await running.notifications!.notifier.idle();
    expect(openDirectMessages(relay.storedEvents(), recipientKey)).toHaveLength(1);
    expect(openDirectMessages(relay.storedEvents(), operatorKey)).toHaveLength(1);
    expect(openDirectMessages(dmRelay.storedEvents(), operatorKey)).toHaveLength(1);
    expect(openDirectMessages(dmRelay.storedEvents(), recipientKey)).toHaveLength(0);
    expect(await count(running, 'duplicate')).toBe(2);
  });

  it('needs the token when one is set, and refuses bodies that are not webhooks, with one line', async () => {
    const relay = await bed.memoryRelay();
    const running = await exporterWith([relay.url], {
      secretKey: nsecEncode(exporterKey),
      recipients: [recipient],
      webhookToken: TOKEN,
    });
    const refused = await post(running.http.url, firing);
    expect([refused.status, await refused.text()]).toEqual([401, 'missing bearer token\n']);
    expect((await post(running.http.url, firing, 'wrong-token-of-some-length')).status).toBe(401);
    const bad = await post(running.http.url, '{not json', TOKEN);
    expect(bad.status).toBe(400);
    expect((await bad.text()).split('\n').filter(Boolean)).toHaveLength(1);
    expect((await post(running.http.url, { version: '4' }, TOKEN)).status).toBe(400);
    expect((await post(running.http.url, firing, TOKEN)).status).toBe(200);
  });

  it('limits messages per recipient, and retries an undelivered one with backoff before counting it failed', async () => {
    const relay = await bed.memoryRelay();
    const dead = `ws://127.0.0.1:${await freePort()}`;
    const running = await exporterWith([relay.url], {
      secretKey: nsecEncode(exporterKey),
      recipients: [recipient],
      relays: [dead],
      maxPerRecipientPerHour: 1,
      maxAttempts: 3,
      retryMinSeconds: 0.05,
    });
    expect(await (await post(running.http.url, firing)).json()).toMatchObject({ queued: 1 });
    const second = webhookBody([{ labels: { alertname: 'DvmHighErrorRatio', dvm: DVM } }], 'other-group');
    expect(await (await post(running.http.url, second)).json()).toMatchObject({ queued: 0, rateLimited: 1 });
    await running.notifications!.notifier.idle();
    expect([
      await count(running, 'retried'),
      await count(running, 'failed'),
      await count(running, 'sent'),
    ]).toEqual([2, 1, 0]);
    const text = await render(running.assembly.registry, 'prometheus');
    expect(text).toContain('dvm_exporter_relay_publishes_total{purpose="notify",result="unreachable"} 3');
    expect(text).toContain('dvm_exporter_notifications_total{result="rate_limited"} 1');
  });

  it('answers 404 saying so when notifications are not configured, and never shows the key', async () => {
    const relay = await bed.memoryRelay();
    const off = await exporterWith([relay.url], {});
    const res = await post(off.http.url, firing);
    expect([res.status, await res.text()]).toEqual([
      404,
      'notifications are not configured (notify.secretKey)\n',
    ]);
    await expect(exporterWith([relay.url], { secretKey: nsecEncode(exporterKey) })).rejects.toThrow(
      /neither notify.recipients nor notify.subscriptions/,
    );
  });
});
