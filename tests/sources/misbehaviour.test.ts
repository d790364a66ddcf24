import { afterEach, describe, expect, it } from 'vitest';
import type { NostrEvent } from '../../exporter/model/nostr-event.js';
import { forwardedIds, publish, recorder, simulatedEvents, testBed, waitFor } from './support/harness.js';

const bed = testBed();
afterEach(() => bed.cleanup());

const NOW = Math.floor(Date.now() / 1000);

describe('a relay that misbehaves', () => {
  it('counts garbage, refusals, forged and oversized events, and keeps ingesting', async () => {
    const r = await bed.relay();
    const rec = recorder();
    const running = await bed.exporter([r], rec);
    const status = () => running.ingest.status().relays[0];
    await waitFor(() => status()?.caughtUp, 'caught up');
    // A job request: not replaceable, so the relay forwards it whatever else it holds.
    const valid = simulatedEvents(51, 40, NOW - 60).find(
      (e) => e.kind >= 5000 && e.kind < 6000,
    ) as NostrEvent;
    const forgedSig = { ...valid, sig: `${valid.sig.slice(0, 127)}${valid.sig.endsWith('0') ? '1' : '0'}` };
    const forgedContent = { ...valid, content: `${valid.content} (edited)` };
    const oversized = { ...valid, id: 'f'.repeat(64), content: 'x'.repeat(200_000) };

    r.sendRaw('this is not json {');
    r.sendRaw('["WHATEVER", 1, 2]');
    r.sendRaw(JSON.stringify(['NOTICE', 'rate-limited: slow down']));
    r.sendRaw(JSON.stringify(['EVENT', 'x', forgedSig]));
    r.sendRaw(JSON.stringify(['EVENT', 'x', forgedContent]));
    r.sendRaw(JSON.stringify(['EVENT', 'x', oversized]));
    r.sendRaw(JSON.stringify(['EVENT', 'x', { kind: 'nope' }]));
    await waitFor(() => (status()?.counts.rejected.too_large ?? 0) > 0, 'the oversized event counted');

    const counts = status()?.counts;
    expect(counts?.rejected.bad_json).toBe(1);
    expect(counts?.rejected.bad_sig).toBe(1);
    expect(counts?.rejected.bad_id).toBe(1);
    expect(counts?.rejected.bad_shape).toBe(1);
    expect(counts?.invalidFrames).toBe(1);
    expect(counts?.refusals.NOTICE).toBe(1);
    expect(status()?.lastRefusal?.message).toBe('rate-limited: slow down');
    expect(rec.accepted).toHaveLength(0);

    // The relay ends a live subscription: it is asked for again, and ingestion catches up.
    const live = r.reqs.find((req) => req.subscriptionId.startsWith('l'));
    const reqsBefore = r.reqs.length;
    r.sendRaw(JSON.stringify(['CLOSED', live?.subscriptionId, 'error: idle subscription closed']));
    await waitFor(() => status()?.counts.refusals.CLOSED === 1, 'CLOSED counted');
    await waitFor(() => r.reqs.length > reqsBefore && status()?.caughtUp, 'subscription re-opened');

    // A frame far beyond any event ends the connection; the exporter reconnects.
    r.sendRaw(JSON.stringify(['EVENT', 'x', { ...oversized, content: 'y'.repeat(3_000_000) }]));
    await waitFor(() => status()?.lastDisconnect?.reason === 'frame_too_large', 'huge frame refused');
    await waitFor(() => status()?.caughtUp, 'reconnected');

    const events = simulatedEvents(52, 20, NOW - 20);
    const stored = await publish(r.url, events);
    await waitFor(
      () => forwardedIds(events, stored).every((id) => rec.accepted.some((x) => x.id === id)),
      'valid events',
    );
    // The valid event whose forged copies came first is still accepted when its real copy arrives.
    await publish(r.url, [valid]);
    await waitFor(() => rec.accepted.some((x) => x.id === valid.id), 'the genuine copy of a forged id');
  });
});
