import { finalizeEvent, generateSecretKey } from 'nostr-tools/pure';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboundMetrics } from '../../exporter/app/self-metrics.js';
import { EventPublisher } from '../../exporter/nostr/publisher.js';
import { freePort } from '../support/ports.js';
import { startTestRelay, type TestRelay } from '../support/relay.js';

const key = generateSecretKey();
let notes = 0;
// A distinct content each time: two notes made in the same second would otherwise be one event.
const note = (tags: string[][] = []) =>
  finalizeEvent(
    { kind: 1, created_at: Math.floor(Date.now() / 1000), tags, content: `hello ${++notes}` },
    key,
  );

describe('EventPublisher against a real relay', () => {
  let relay: TestRelay;
  let publisher: EventPublisher;
  const registry = new Registry();

  beforeAll(async () => {
    relay = await startTestRelay();
    publisher = new EventPublisher({
      purpose: 'test',
      metrics: outboundMetrics(registry),
      publishTimeoutMs: 15_000,
      connectTimeoutMs: 10_000,
    });
  });
  afterAll(async () => {
    publisher.close();
    await relay.stop();
  });

  it('reports a new event as accepted and a second copy as duplicate, and the relay stores it', async () => {
    const event = note();
    expect((await publisher.publish(event, [relay.url])).map((o) => o.result)).toEqual(['accepted']);
    expect((await publisher.publish(event, [relay.url])).map((o) => o.result)).toEqual(['duplicate']);
    expect(relay.storedEvents().map((e) => e.id)).toContain(event.id);
  });

  it("reports the relay's refusal with its reason", async () => {
    // NIP-40: the relay refuses events that are already expired.
    const expired = note([['expiration', String(Math.floor(Date.now() / 1000) - 60)]]);
    const [outcome] = await publisher.publish(expired, [relay.url]);
    expect(outcome?.result).toBe('refused');
    expect(outcome?.message).not.toBe('');
    expect(relay.storedEvents().map((e) => e.id)).not.toContain(expired.id);
  });

  it('reports a relay nobody listens on as unreachable, one outcome per distinct relay', async () => {
    const dead = `ws://127.0.0.1:${await freePort()}`;
    const outcomes = await publisher.publish(note(), [relay.url, dead, dead]);
    expect(outcomes.map((o) => [o.relay, o.result])).toEqual([
      [relay.url, 'accepted'],
      [dead, 'unreachable'],
    ]);
  });

  it('counts every answer by purpose and result', async () => {
    const text = await registry.metrics();
    const count = (result: string) =>
      Number(
        new RegExp(`dvm_exporter_relay_publishes_total\\{purpose="test",result="${result}"\\} (\\d+)`).exec(
          text,
        )?.[1],
      );
    expect([
      count('accepted'),
      count('duplicate'),
      count('refused'),
      count('unreachable'),
      count('timeout'),
    ]).toEqual([2, 1, 1, 1, 0]);
  });
});
