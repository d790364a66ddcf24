import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  acceptedAll,
  forwardedIds,
  publish,
  recorder,
  simulatedEvents,
  testBed,
  waitFor,
} from '../sources/support/harness.js';

const bed = testBed();
afterEach(() => bed.cleanup());

const NOW = Math.floor(Date.now() / 1000);

describe('run with the embedded store', () => {
  it('keeps relay cursors in the store, and resumes from them after a restart', {
    timeout: 120_000,
  }, async () => {
    const r = await bed.relay();
    const dataDir = bed.dataDir();
    const first = recorder();
    const start = (rec = first) => bed.storeExporter([r], { dataDir, recorder: rec });

    const events = simulatedEvents(91, 40, NOW - 120);
    const ids = forwardedIds(events, await publish(r.url, events));
    const one = await start();
    await waitFor(() => acceptedAll(first, ids), 'events ingested', 60_000);
    await waitFor(() => one.ingest.status().relays[0]?.caughtUp === true, 'backfill confirmed');
    await one.stop();
    const saved = one.ingest.cursors.get(r.url);
    expect(saved).toBeGreaterThan(0);
    expect(existsSync(join(dataDir, 'cursors.json'))).toBe(false);

    const two = await start(recorder());
    expect(two.ingest.cursors.get(r.url)).toBe(saved);
  });
});
