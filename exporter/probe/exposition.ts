import { Gauge, Registry } from 'prom-client';
import { isStored } from '../nostr/publisher.js';
import type { ProbeOutcome } from './prober.js';

/**
 * A probe's answer in the Prometheus text format, as blackbox_exporter answers /probe: a fresh registry
 * per probe, so nothing of one target leaks into another's scrape. Times of answers that never came
 * are NaN (Prometheus stores NaN; the series stays there for alerting).
 */
export async function renderProbe(outcome: ProbeOutcome): Promise<{ contentType: string; body: string }> {
  const registry = new Registry();
  const gauge = (name: string, help: string, value: number) =>
    new Gauge({ name, help, registers: [registry] }).set(value);
  gauge(
    'probe_success',
    '1 when the DVM delivered a result within the timeout, else 0.',
    outcome.result === 'success' ? 1 : 0,
  );
  gauge('probe_duration_seconds', 'How long the probe took, publishing included.', outcome.durationSeconds);
  gauge(
    'probe_first_response_seconds',
    'Request published to the first feedback or result from the DVM (NaN when none came).',
    outcome.firstResponseSeconds ?? Number.NaN,
  );
  gauge(
    'probe_result_seconds',
    'Request published to the result (NaN when none came).',
    outcome.resultSeconds ?? Number.NaN,
  );
  const status = new Gauge({
    name: 'probe_dvm_feedback_status',
    help: 'Feedback statuses the DVM sent for the probe request, 1 each.',
    labelNames: ['status'],
    registers: [registry],
  });
  for (const seen of outcome.feedback) status.set({ status: seen }, 1);
  gauge(
    'probe_dvm_payment_required_millisats',
    'Millisats the DVM asked for in payment-required feedback (0 when it asked nothing); probes never pay.',
    outcome.paymentMsats ?? 0,
  );
  gauge(
    'probe_dvm_error',
    '1 when the DVM answered with error feedback.',
    outcome.feedback.includes('error') ? 1 : 0,
  );
  gauge(
    'probe_relays_acknowledged',
    'Relays that stored the probe request (OK true).',
    outcome.relays.filter(isStored).length,
  );
  gauge('probe_relays_total', 'Relays the probe request was sent to.', outcome.relays.length);
  gauge('probe_dvm_request_kind', 'The job request kind probed.', outcome.kind);
  return { contentType: registry.contentType, body: await registry.metrics() };
}
