import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { publish, simulatedEvents } from '../sources/support/harness.js';
import { type MemoryRelay, startMemoryRelay } from './memory-relay.js';
import { startTestRelay, type TestRelay } from './relay.js';

/** The ids a REQ returns before EOSE, in the order sent. */
async function req(url: string, filters: readonly object[]): Promise<string[]> {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const ids: string[] = [];
  await new Promise<void>((resolve) => {
    ws.on('message', (data) => {
      const [type, , event] = JSON.parse(String(data)) as [string, string, { id: string }];
      if (type === 'EVENT') ids.push(event.id);
      if (type === 'EOSE') resolve();
    });
    ws.send(JSON.stringify(['REQ', 'q', ...filters]));
  });
  ws.close();
  return ids;
}

// The in-memory relay stands in for the real one in tests that need only NIP-01: for plain (not replaceable,
// not expiring) events it must answer the same REQs with the same events.
describe('the in-memory relay', () => {
  let memory: MemoryRelay;
  let real: TestRelay;
  const events = simulatedEvents(5, 60).filter((e) => e.kind >= 5000 && e.kind < 7001);

  beforeAll(async () => {
    [memory, real] = await Promise.all([startMemoryRelay(), startTestRelay()]);
    expect(await publish(memory.url, events)).toEqual(await publish(real.url, events));
  });
  afterAll(async () => {
    await Promise.all([memory.stop(), real.stop()]);
  });

  it.each([
    [[{ limit: 1000 }]],
    [[{ kinds: [7000], limit: 5 }]],
    [
      [
        { authors: [events[0]?.pubkey], limit: 1000 },
        { kinds: [5300], limit: 3 },
      ],
    ],
    [[{ '#e': [events[0]?.id], limit: 1000 }]],
  ])('answers %j as the real relay does', async (filters) => {
    const [fromMemory, fromReal] = await Promise.all([req(memory.url, filters), req(real.url, filters)]);
    expect(fromMemory.length).toBeGreaterThan(0);
    expect(new Set(fromMemory)).toEqual(new Set(fromReal));
  });

  it('sends a new matching event to an open subscription, and stores it once', async () => {
    const ws = new WebSocket(memory.url);
    await new Promise((resolve) => ws.once('open', resolve));
    const live = new Promise<string>((resolve) =>
      ws.on('message', (data) => {
        const [type, , event] = JSON.parse(String(data)) as [string, string, { id: string }];
        if (type === 'EVENT') resolve(event.id);
      }),
    );
    ws.send(JSON.stringify(['REQ', 'live', { ids: [], since: 0 }, { kinds: [1], limit: 0 }]));
    const note = simulatedEvents(6, 200).find((e) => !events.some((x) => x.id === e.id))!;
    const fresh = { ...note, kind: 1 };
    await publish(memory.url, [fresh, fresh]);
    expect(await live).toBe(fresh.id);
    expect(memory.storedEvents().filter((e) => e.id === fresh.id)).toHaveLength(1);
    ws.close();
  });
});
