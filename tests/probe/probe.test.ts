import { npubEncode } from 'nostr-tools/nip19';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningExporter, startExporter } from '../../exporter/app/run-assembly.js';
import { type ConfigInput, configSchema } from '../../exporter/config/schema.js';
import { render } from '../../exporter/sinks/metrics/exposition.js';
import { parseExposition } from '../metrics/exposition-parse.js';
import { quietLogger, TEST_TUNING, testBed, waitFor } from '../sources/support/harness.js';
import type { MemoryRelay } from '../support/memory-relay.js';
import { TestDvm, type TestDvmBehaviour } from '../support/test-dvm.js';

const bed = testBed();
afterEach(() => bed.cleanup());

const probeKey = generateSecretKey();

async function exporterWith(relay: MemoryRelay, probe: ConfigInput['probe'] = {}): Promise<RunningExporter> {
  const config = configSchema.parse({
    listen: '127.0.0.1:0',
    dataDir: bed.dataDir(),
    logLevel: 'silent',
    ingest: { relays: [relay.url], reconnectMinSeconds: 0.05, reconnectMaxSeconds: 0.5 },
    clickhouse: { enabled: false },
    probe: {
      secretKey: Buffer.from(probeKey).toString('hex'),
      minIntervalSeconds: 0,
      modules: { quick: { kind: 5050, inputs: [['say ok', 'text']], timeoutSeconds: 3 } },
      ...probe,
    },
  });
  const running = await startExporter(config, { logger: quietLogger(), tuning: TEST_TUNING });
  bed.defer(() => running.stop());
  return running;
}

async function dvm(
  relay: MemoryRelay,
  behaviour: TestDvmBehaviour,
  extra: Partial<Parameters<typeof TestDvm.start>[0]> = {},
) {
  const started = await TestDvm.start({ relayUrl: relay.url, behaviour, ...extra });
  bed.defer(() => started.stop());
  return started;
}

/** GET /probe, parsed: one value per sample name (labels folded into the name). */
async function probe(
  running: RunningExporter,
  target: string,
  module = 'quick',
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${running.http.url}/probe?target=${target}&module=${module}`, { headers });
  const text = await res.text();
  if (res.status !== 200) return { status: res.status, text, samples: new Map<string, number>() };
  const samples = new Map<string, number>();
  for (const sample of parseExposition(text)) {
    const labels = Object.entries(sample.labels)
      .map(([k, v]) => `${k}="${v}"`)
      .join(',');
    samples.set(labels ? `${sample.name}{${labels}}` : sample.name, sample.value);
  }
  return { status: res.status, text, samples };
}

describe('GET /probe', () => {
  it('reports success with durations for a DVM that answers kind 5050 (text-generation, npub target)', async () => {
    const relay = await bed.memoryRelay();
    const answering = await dvm(relay, 'answer', { feedbackFirst: true });
    const running = await exporterWith(relay);
    const started = Date.now();
    const { status, samples } = await probe(running, npubEncode(answering.pubkey), 'text-generation');
    const elapsed = (Date.now() - started) / 1000;
    expect(status).toBe(200);
    expect(samples.get('probe_success')).toBe(1);
    const first = samples.get('probe_first_response_seconds')!;
    const result = samples.get('probe_result_seconds')!;
    const duration = samples.get('probe_duration_seconds')!;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(result);
    expect(result).toBeLessThanOrEqual(duration);
    expect(duration).toBeLessThanOrEqual(elapsed);
    expect(samples.get('probe_dvm_feedback_status{status="processing"}')).toBe(1);
    expect(samples.get('probe_relays_acknowledged')).toBe(1);
    expect(samples.get('probe_relays_total')).toBe(1);
    expect(samples.get('probe_dvm_payment_required_millisats')).toBe(0);
    // What the DVM got: a 5050 request for it, signed by the probe key, marked as a probe.
    const [request] = answering.requests;
    expect(request?.kind).toBe(5050);
    expect(request?.pubkey).toBe(getPublicKey(probeKey));
    expect(request?.tags).toContainEqual(['p', answering.pubkey]);
    expect(request?.tags).toContainEqual(['dvm-exporter', 'probe']);
  });

  it('reports 0 for a DVM that never answers, within the module timeout', async () => {
    const relay = await bed.memoryRelay();
    const silent = await dvm(relay, 'silent');
    const running = await exporterWith(relay);
    const started = Date.now();
    const { samples } = await probe(running, silent.pubkey);
    const elapsed = (Date.now() - started) / 1000;
    expect(samples.get('probe_success')).toBe(0);
    expect(samples.get('probe_first_response_seconds')).toBeNaN();
    expect(samples.get('probe_result_seconds')).toBeNaN();
    expect(silent.requests).toHaveLength(1);
    // The module's timeout is 3 s: the answer comes after it, and not much later.
    expect(elapsed).toBeGreaterThanOrEqual(3);
    expect(elapsed).toBeLessThan(3 + 5);
  });

  it('waits for a slow DVM, and ends early on payment-required (never paying) and on error', async () => {
    const relay = await bed.memoryRelay();
    const slow = await dvm(relay, 'slow', { slowMs: 1_500 });
    const paid = await dvm(relay, 'payment', { amountMsats: 21_000 });
    const failing = await dvm(relay, 'error');
    const running = await exporterWith(relay);
    const s = (await probe(running, slow.pubkey)).samples;
    expect(s.get('probe_success')).toBe(1);
    expect(s.get('probe_result_seconds')).toBeGreaterThanOrEqual(1.4);
    expect(s.get('probe_first_response_seconds')).toBeLessThan(s.get('probe_result_seconds')!);
    const p = (await probe(running, paid.pubkey)).samples;
    expect(p.get('probe_success')).toBe(0);
    expect(p.get('probe_dvm_feedback_status{status="payment-required"}')).toBe(1);
    expect(p.get('probe_dvm_payment_required_millisats')).toBe(21_000);
    expect(p.get('probe_duration_seconds')).toBeLessThan(3);
    const e = (await probe(running, failing.pubkey)).samples;
    expect(e.get('probe_success')).toBe(0);
    expect(e.get('probe_dvm_error')).toBe(1);
    expect(e.get('probe_dvm_feedback_status{status="error"}')).toBe(1);
    const text = await render(running.assembly.registry, 'prometheus');
    for (const [result, n] of [
      ['success', 1],
      ['payment_required', 1],
      ['error', 1],
      ['timeout', 0],
    ] as const)
      expect(text).toContain(`dvm_exporter_probes_total{module="quick",result="${result}"} ${n}`);
  });

  it('refuses with one line and a 4xx: bad target, unknown module, too soon, too many at once', async () => {
    const relay = await bed.memoryRelay();
    const silent = await dvm(relay, 'silent');
    const other = await dvm(relay, 'silent');
    const running = await exporterWith(relay, { minIntervalSeconds: 3_600, maxConcurrent: 1 });
    const bad = await probe(running, 'npub1nope');
    expect([bad.status, bad.text]).toEqual([400, 'target: expected an npub1… key or 64 hex digits\n']);
    expect((await probe(running, silent.pubkey, 'nope')).status).toBe(400);
    const first = probe(running, silent.pubkey);
    await waitFor(() => silent.requests.length === 1, 'the first probe to be under way');
    const busy = await probe(running, other.pubkey);
    expect([busy.status, busy.text]).toEqual([429, '1 probes already running\n']);
    expect((await first).status).toBe(200);
    const soon = await probe(running, silent.pubkey);
    expect(soon.status).toBe(429);
    expect(soon.text).toMatch(/^target probed less than 3600 s ago; retry in \d+ s\n$/);
    const text = await render(running.assembly.registry, 'prometheus');
    for (const reason of ['bad_target', 'unknown_module', 'too_soon', 'busy'])
      expect(text).toContain(`dvm_exporter_probe_refusals_total{reason="${reason}"} 1`);
  });

  it("ends before Prometheus's scrape timeout", async () => {
    const relay = await bed.memoryRelay();
    const silent = await dvm(relay, 'silent');
    const running = await exporterWith(relay);
    const { samples } = await probe(running, silent.pubkey, 'quick', {
      'X-Prometheus-Scrape-Timeout-Seconds': '1.5',
    });
    expect(samples.get('probe_duration_seconds')).toBeLessThan(1.5);
  });

  it('keeps probe requests and answers out of the market numbers, counting them as probe_traffic', async () => {
    const relay = await bed.memoryRelay();
    const answering = await dvm(relay, 'answer', { feedbackFirst: true });
    const running = await exporterWith(relay);
    await waitFor(() => running.ingest.connectedRelays > 0, 'the exporter to watch the relay');
    expect((await probe(running, answering.pubkey)).samples.get('probe_success')).toBe(1);
    const value = async (name: string, labels: Record<string, string> = {}) =>
      parseExposition(await render(running.assembly.registry, 'prometheus'))
        .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        .reduce((sum, s) => sum + s.value, 0);
    // The request, the feedback and the result: three events, all rejected as probe traffic.
    await waitFor(
      async () => (await value('dvm_exporter_rejected_events_total', { reason: 'probe_traffic' })) === 3,
      'three probe events rejected',
    );
    expect(await value('dvm_job_requests_total')).toBe(0);
    expect(await value('dvm_job_results_total')).toBe(0);
    expect(await value('dvm_job_feedback_total')).toBe(0);
    expect(await value('dvm_exporter_accepted_events_total')).toBe(0);
  });
});
