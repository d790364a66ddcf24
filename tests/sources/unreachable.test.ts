import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../exporter/base/clock.js';
import { createLogger } from '../../exporter/base/logger.js';
import { createVerifier } from '../../exporter/model/verify.js';
import { Pipeline } from '../../exporter/pipeline/pipeline.js';
import { FileCursorStore } from '../../exporter/sources/cursor-file.js';
import { RelayIngest } from '../../exporter/sources/relay/ingest.js';
import { UNREACHABLE_REMINDER_SECONDS } from '../../exporter/sources/relay/source.js';
import { TEST_TUNING, testBed, testConfig, waitFor } from './support/harness.js';

const bed = testBed();
afterEach(() => bed.cleanup());

interface Line {
  level: number;
  msg: string;
  relay?: string;
  held?: number;
  failedAttempts?: number;
  downSeconds?: number;
}

describe('a relay that cannot be reached', () => {
  it('is logged at warn on its first failure, then reminded at most every 5 minutes, and its return noted', {
    timeout: 60_000,
  }, async () => {
    // A relay that is down: started once to own a port, then stopped.
    const r = await bed.relay();
    await r.stop();
    const url = `ws://user:Hunter2pw@127.0.0.1:${r.port}/`;
    const lines: Line[] = [];
    // Debug too, to see the attempts in between; the default level shows levels 30 and up.
    const logger = createLogger('debug', {
      destination: { write: (line: string) => lines.push(JSON.parse(line) as Line) },
    });
    const clock = new ManualClock(1_000_000);
    const verifier = await createVerifier('js');
    const config = testConfig([url], bed.dataDir(), { reconnectMinSeconds: 0.02, reconnectMaxSeconds: 0.05 });
    const ingest = new RelayIngest({
      config: config.ingest,
      maxEventBytes: config.pipeline.maxEventBytes,
      pipeline: new Pipeline({ verifier, clock }),
      registry: new Registry(),
      logger,
      cursorStore: new FileCursorStore(join(config.dataDir, 'cursors.json')),
      clock,
      tuning: TEST_TUNING,
    });
    bed.defer(() => ingest.stop());
    await ingest.start();
    const named = (msg: string) => lines.filter((l) => l.msg === msg);
    const shown = `ws://user:***@127.0.0.1:${r.port}/`;

    // Many failed attempts, at debug (not shown at the default level): one warn line.
    await waitFor(() => named('relay unreachable').length >= 5, 'failed attempts');
    expect(named('relay unreachable').every((l) => l.level === 20)).toBe(true);
    expect(named('relay unreachable; retrying with backoff')).toHaveLength(1);
    expect(named('relay unreachable; retrying with backoff')[0]).toMatchObject({ level: 40, relay: shown });
    expect(named('relay still unreachable')).toHaveLength(0);

    // Five minutes on (by the injected clock): the next failure is a reminder, with what was held back.
    clock.advance(UNREACHABLE_REMINDER_SECONDS);
    const reminder = await waitFor(() => named('relay still unreachable')[0], 'a reminder');
    expect(reminder.level).toBe(40);
    expect(reminder.held).toBeGreaterThan(0);
    expect(reminder.failedAttempts).toBe((reminder.held ?? 0) + 2);
    expect(reminder.downSeconds).toBe(UNREACHABLE_REMINDER_SECONDS);

    // Back up: noted at info; a later outage is news again (a first failure at warn).
    await r.restart();
    const back = await waitFor(() => named('relay reachable again')[0], 'reconnected');
    expect(back.level).toBe(30);
    await r.stop();
    await waitFor(() => named('relay connection ended').length === 1, 'connection ended');
    await waitFor(() => named('relay unreachable; retrying with backoff').length === 2, 'news again');
    expect(lines.every((l) => !JSON.stringify(l).includes('Hunter2pw'))).toBe(true);
  });
});
