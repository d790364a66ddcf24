import { afterEach, describe, expect, it } from 'vitest';
import {
  acceptedAll,
  forwardedIds,
  publish,
  recorder,
  simulatedEvents,
  storedIds,
  testBed,
  waitFor,
} from './support/harness.js';

const bed = testBed();
afterEach(() => bed.cleanup());

const NOW = Math.floor(Date.now() / 1000);

describe('live ingestion from real relays', () => {
  it('processes every event once when two relays carry overlapping events', async () => {
    const [a, b] = [await bed.relay(), await bed.relay()];
    const events = simulatedEvents(11, 150, NOW - 400);
    // Both relays hold the middle third; each also has a third of its own.
    await publish(a.url, events.slice(0, 100));
    await publish(b.url, events.slice(50));
    const rec = recorder();
    const running = await bed.exporter([a, b], rec);
    await waitFor(() => acceptedAll(rec, storedIds(a, b)), 'all stored events');

    // Live traffic on both relays after the backfill.
    const live = simulatedEvents(12, 60, NOW - 30);
    const [liveA, liveB] = await Promise.all([publish(a.url, live), publish(b.url, live)]);
    await waitFor(() => acceptedAll(rec, forwardedIds(live, [...liveA, ...liveB])), 'live events');

    const ids = rec.accepted.map((x) => x.id);
    expect(new Set(ids).size).toBe(ids.length);
    const [sa, sb] = running.ingest.status().relays;
    // Every accepted event was first seen on exactly one relay; the other copies were duplicates.
    expect((sa?.counts.firstSeen ?? 0) + (sb?.counts.firstSeen ?? 0)).toBe(ids.length);
    expect((sa?.counts.duplicates ?? 0) + (sb?.counts.duplicates ?? 0)).toBeGreaterThanOrEqual(50);
    // Both relays run the default validator limits: every REQ was taken.
    expect(sa?.counts.refusals).toEqual({ CLOSED: 0, NOTICE: 0 });
    expect(sb?.counts.refusals).toEqual({ CLOSED: 0, NOTICE: 0 });
    const filters = [...a.reqs, ...b.reqs].flatMap((r) => r.filters);
    expect(Math.max(...filters.map((f) => f.kinds?.length ?? 0))).toBeLessThanOrEqual(20);
  });

  it('pages a backfill with until across a relay that caps results per filter', async () => {
    const r = await bed.relay({ maxResultsPerFilter: 10 });
    const events = simulatedEvents(21, 200, NOW - 400);
    await publish(r.url, events);
    const rec = recorder();
    const running = await bed.exporter([r], rec);
    const stored = storedIds(r);
    await waitFor(() => acceptedAll(rec, stored), 'every stored event through 10-event pages');
    const status = running.ingest.status().relays[0];
    expect(status?.counts.backfillPages).toBeGreaterThan(10);
    expect(r.reqs.some((req) => req.filters.some((f) => f.until !== undefined))).toBe(true);
    expect(new Set(rec.accepted.map((x) => x.id)).size).toBe(rec.accepted.length);
  });

  it('loses nothing when a relay dies mid-stream and comes back', async () => {
    const r = await bed.relay();
    const rec = recorder();
    const running = await bed.exporter([r], rec);
    await waitFor(() => running.ingest.status().relays[0]?.caughtUp, 'caught up');
    const before = simulatedEvents(31, 150, NOW - 200);
    await publish(r.url, before.slice(0, 50));
    await waitFor(
      () => acceptedAll(rec, forwardedIds(before.slice(0, 50), [...storedIds(r)])),
      'first batch',
    );

    // A saturated sink stops reading; the relay dies with frames still in flight.
    rec.block();
    await publish(r.url, before.slice(50));
    await waitFor(() => running.ingest.status().paused, 'reading paused');
    await r.stop();
    rec.release();
    await waitFor(() => !running.ingest.status().relays[0]?.connected, 'disconnect noticed');

    await r.restart();
    const after = simulatedEvents(32, 50, NOW - 20);
    await publish(r.url, after);
    await waitFor(() => acceptedAll(rec, storedIds(r)), 'everything the relay stored');
    expect(new Set(rec.accepted.map((x) => x.id)).size).toBe(rec.accepted.length);
    expect(running.ingest.status().relays[0]?.counts.reconnects).toBeGreaterThanOrEqual(1);
  });

  it('replaces a socket that goes silent', async () => {
    const r = await bed.relay();
    const rec = recorder();
    const running = await bed.exporter([r], rec, {
      ingest: { pingIntervalSeconds: 1, deadSocketSeconds: 2 },
    });
    await waitFor(() => running.ingest.status().relays[0]?.caughtUp, 'caught up');
    r.silence();
    await waitFor(
      () => running.ingest.status().relays[0]?.lastDisconnect?.reason === 'dead_socket',
      'dead socket',
    );
    await waitFor(() => running.ingest.status().relays[0]?.caughtUp, 'caught up on a new socket');
    const events = simulatedEvents(41, 30, NOW - 20);
    const stored = await publish(r.url, events);
    await waitFor(() => acceptedAll(rec, forwardedIds(events, stored)), 'events on the new socket');
  });
});
