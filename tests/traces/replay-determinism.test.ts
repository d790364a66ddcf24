import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NostrEvent } from '../../exporter/model/nostr-event.js';
import { DEFAULT_SIMULATION, simulate } from '../../exporter/simulate/index.js';
import { OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { replayWithTraces, writeJsonl } from './replay-support.js';
import { counterValue } from './support.js';

/*
 * Ten minutes of simulated market traffic (chains, several DVMs per job, payments, errors, late and
 * duplicate deliveries, malformed noise) replayed twice through `replay`'s wiring.
 */

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await OtlpReceiver.start();
});
afterAll(async () => {
  await receiver.close();
});

const fingerprint = (s: ReceivedSpan) =>
  JSON.stringify([
    s.traceId,
    s.spanId,
    s.parentSpanId,
    s.name,
    String(s.startTimeUnixNano),
    String(s.endTimeUnixNano),
    s.attributes,
    s.events.map((e) => [e.name, String(e.timeUnixNano), e.attributes]),
    s.links,
    s.status,
  ]);

describe('replaying the same file twice', () => {
  it('sends identical traces: same trace ids, span ids, parents, times, attributes and events', async () => {
    const items = [...simulate({ ...DEFAULT_SIMULATION, durationSeconds: 600, requestsPerMinute: 30 })];
    const requestIds = new Set(
      items
        .filter((item) => item.expect.outcome === 'accepted' && item.expect.role === 'request')
        .map((item) => (item.event as NostrEvent).id),
    );
    const { file, remove } = writeJsonl(items);
    const runs: string[][] = [];
    try {
      for (let run = 0; run < 2; run++) {
        receiver.clear();
        const assembly = await replayWithTraces([file], receiver.url);
        const spans = receiver.spans();
        runs.push(spans.map(fingerprint).sort());

        // Every span arrived: replay waits for a slow backend rather than dropping.
        const emitted = await counterValue(assembly.registry, 'dvm_exporter_spans_emitted_total');
        expect(emitted).toBe(spans.length);
        expect(await counterValue(assembly.registry, 'dvm_exporter_spans_exported_total')).toBe(emitted);
        expect(
          await counterValue(assembly.registry, 'dvm_exporter_spans_dropped_total', { reason: 'queue_full' }),
        ).toBe(0);

        // Ids are unique, and every trace is named after a request of the file (its chain's root).
        expect(new Set(spans.map((s) => `${s.traceId}/${s.spanId}`)).size).toBe(spans.length);
        const roots = new Set([...requestIds].map((id) => id.slice(0, 32)));
        const placeholders = spans.filter((s) => s.attributes['dvm.job.request_seen'] === false);
        const foreign = spans.filter((s) => !roots.has(s.traceId));
        // Only jobs whose request never came (orphan responses) may live in a trace of an unseen id.
        expect(foreign.every((s) => placeholders.some((p) => p.traceId === s.traceId))).toBe(true);
      }
    } finally {
      remove();
    }
    expect(runs[0]!.length).toBeGreaterThan(500);
    expect(runs[1]).toEqual(runs[0]);
  }, 120_000);
});
