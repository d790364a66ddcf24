import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
} from '../sources/support/harness.js';

const bed = testBed();
afterEach(() => bed.cleanup());

const NOW = Math.floor(Date.now() / 1000);

describe('exporter restart', () => {
  it('flushes on shutdown, then resumes from the cursor file: nothing lost, nothing counted twice', async () => {
    const r = await bed.relay();
    const dataDir = bed.dataDir();
    const first = recorder();
    const one = await bed.exporter([r], first, { dataDir });
    const before = simulatedEvents(71, 80, NOW - 200);
    const beforeIds = forwardedIds(before, await publish(r.url, before));
    await waitFor(() => acceptedAll(first, beforeIds), 'first run caught up');
    await waitFor(() => one.ingest.status().relays[0]?.caughtUp, 'backfill confirmed');
    await one.stop();

    // Shutdown flushed everything the sink was given, and saved the cursor with the recent ids.
    expect(first.flushed).toEqual(first.accepted.map((x) => x.id));
    const state = JSON.parse(readFileSync(join(dataDir, 'cursors.json'), 'utf8'));
    expect(state.relays[r.url]).toBe(
      Math.max(...first.accepted.map((x) => before.find((e) => e.id === x.id)?.created_at ?? 0)),
    );
    expect(Object.keys(state.recent)).toEqual(expect.arrayContaining(beforeIds));

    // While the exporter is down, more traffic arrives.
    const during = simulatedEvents(72, 60, NOW - 60);
    await publish(r.url, during);

    const second = recorder();
    const two = await bed.exporter([r], second, { dataDir });
    await waitFor(
      () =>
        acceptedAll(
          second,
          [...storedIds(r)].filter((id) => !first.accepted.some((x) => x.id === id)),
        ),
      'the rest',
    );
    const recounted = second.accepted.filter((x) => first.accepted.some((y) => y.id === x.id));
    expect(recounted).toEqual([]);
    // The re-read copies were recognised as duplicates, not dropped silently.
    expect(two.ingest.status().relays[0]?.counts.duplicates).toBeGreaterThan(0);
  });
});
