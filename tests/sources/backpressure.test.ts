import { afterEach, describe, expect, it } from 'vitest';
import { forwardedIds, publish, recorder, simulatedEvents, testBed, waitFor } from './support/harness.js';

const bed = testBed();
afterEach(() => bed.cleanup());

const NOW = Math.floor(Date.now() / 1000);

describe('backpressure', () => {
  it('pauses reading for a saturated sink, sheds countably past a small queue, then fetches the shed events again', async () => {
    const r = await bed.relay();
    const rec = recorder();
    const running = await bed.exporter([r], rec, { tuning: { maxQueuedEvents: 3 } });
    const status = () => running.ingest.status().relays[0];
    await waitFor(() => status()?.caughtUp, 'caught up');

    rec.block(10);
    const events = simulatedEvents(61, 120, NOW - 120);
    const stored = await publish(r.url, events);
    const expected = forwardedIds(events, stored);
    await waitFor(() => (status()?.counts.shed ?? 0) > 0, 'events shed');
    expect(running.ingest.status().paused).toBe(true);
    expect(rec.accepted).toHaveLength(10);
    // The cursor stays below every event the pipeline has not taken (queued, shed or unread).
    await running.ingest.checkpoint();
    const taken = new Set(rec.accepted.map((x) => x.id));
    const notTaken = events.filter((e) => expected.includes(e.id) && !taken.has(e.id));
    expect(running.ingest.cursors.get(r.url) ?? 0).toBeLessThanOrEqual(
      Math.min(...notTaken.map((e) => e.created_at)),
    );

    const reqsBefore = r.reqs.length;
    rec.release();
    await waitFor(() => expected.every((id) => rec.accepted.some((x) => x.id === id)), 'all events');
    // The repair is a fresh subscription from before the shed events.
    expect(r.reqs.length).toBeGreaterThan(reqsBefore);
    expect(new Set(rec.accepted.map((x) => x.id)).size).toBe(rec.accepted.length);
    const newest = Math.max(...events.filter((e) => expected.includes(e.id)).map((e) => e.created_at));
    await waitFor(async () => {
      await running.ingest.checkpoint();
      return running.ingest.cursors.get(r.url) === newest;
    }, 'cursor moves once repaired');
  });

  it('leaves shed events to the next start when stopped before the repair, even without a safety margin', async () => {
    const r = await bed.relay();
    const dataDir = bed.dataDir();
    const ingest = { cursorSafetySeconds: 0 };
    const first = recorder();
    const one = await bed.exporter([r], first, { dataDir, ingest, tuning: { maxQueuedEvents: 3 } });
    await waitFor(() => one.ingest.status().relays[0]?.caughtUp, 'caught up');
    first.block(10);
    const events = simulatedEvents(62, 100, NOW - 100);
    const expected = forwardedIds(events, await publish(r.url, events));
    await waitFor(() => (one.ingest.status().relays[0]?.counts.shed ?? 0) > 0, 'events shed');
    await one.stop();

    const second = recorder();
    await bed.exporter([r], second, { dataDir, ingest });
    await waitFor(
      () =>
        expected.every(
          (id) => first.accepted.some((x) => x.id === id) || second.accepted.some((x) => x.id === id),
        ),
      'every event by one run or the other',
    );
    const again = second.accepted.filter((x) => first.accepted.some((y) => y.id === x.id));
    expect(again).toEqual([]);
  });
});
