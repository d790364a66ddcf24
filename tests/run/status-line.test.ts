import { afterEach, describe, expect, it } from 'vitest';
import { startExporter } from '../../exporter/app/run-assembly.js';
import { runStatusLine, startRunStatus } from '../../exporter/cli/run-status.js';
import {
  forwardedIds,
  publish,
  quietLogger,
  simulatedEvents,
  TEST_TUNING,
  testBed,
  testConfig,
  waitFor,
} from '../sources/support/harness.js';

const bed = testBed();
afterEach(() => bed.cleanup());

/** A sample's value in the Prometheus text exposition, read by hand. */
function sample(exposition: string, name: string): number {
  const line = exposition.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`no sample ${name}`);
  return Number(line.split(' ')[1]);
}

describe('the status line of run', () => {
  it('says relays up/total, events, open jobs and the store backlog, as /metrics does', {
    timeout: 120_000,
  }, async () => {
    const r = await bed.relay();
    const down = await bed.relay();
    await down.stop();
    const running = await bed.storeExporter([r, down]);
    const events = simulatedEvents(85, 40, Math.floor(Date.now() / 1000) - 60);
    const expected = forwardedIds(events, await publish(r.url, events));
    await waitFor(() => running.assembly.pipeline.summaryTotals().accepted === expected.length, 'ingested');
    await running.assembly.pipeline.flush();

    const line = await runStatusLine(running);
    const exposition = await running.assembly.registry.metrics();
    const m =
      /^status: relays (\d+)\/(\d+) up · ([\d,]+) events · ([\d,]+) open jobs · store backlog ([\d,]+) rows$/.exec(
        line,
      );
    expect(m, line).not.toBeNull();
    const [, up, total, shownEvents, openJobs, backlog] = (m as RegExpExecArray).map((x) =>
      x.replace(/,/g, ''),
    );
    expect([Number(up), Number(total)]).toEqual([1, 2]);
    expect(Number(shownEvents)).toBe(expected.length);
    expect(Number(openJobs)).toBe(sample(exposition, 'dvm_exporter_jobs_open'));
    expect(Number(openJobs)).toBeGreaterThan(0);
    expect(Number(backlog)).toBe(sample(exposition, 'dvm_exporter_clickhouse_buffered_rows'));
  });

  it('is printed periodically only when enabled (on a terminal)', async () => {
    const r = await bed.relay();
    const running = await startExporter(testConfig([r.url], bed.dataDir()), {
      logger: quietLogger(),
      tuning: TEST_TUNING,
      sinks: [],
    });
    bed.defer(() => running.stop());
    const off: string[] = [];
    const stopOff = startRunStatus(running, 20, false, (l) => off.push(l));
    const on: string[] = [];
    const stopOn = startRunStatus(running, 20, true, (l) => on.push(l));
    await waitFor(() => on.length >= 2, 'two status lines');
    stopOn();
    stopOff();
    expect(off).toEqual([]);
    expect(on[0]).toMatch(/^status: relays [01]\/1 up · 0 events · 0 open jobs · store off$/);
  });
});
