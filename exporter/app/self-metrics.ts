import { Counter, type Registry } from 'prom-client';
import type { NotifyMetrics } from '../notify/index.js';
import type { ProbeMetrics } from '../probe/index.js';
import { METRIC } from '../sinks/metrics/names.js';

/** The self-metrics of the parts that publish to relays (notifications, probes). */
export type OutboundMetrics = NotifyMetrics & ProbeMetrics;

/**
 * The outbound self-metrics of one registry, handed to the parts that count into them (statsd_exporter's
 * main creates its metrics and hands them down). Each is created on first use, so a part that is off
 * adds nothing to /metrics, and the publishers of notifications and of probes share one publish
 * counter. Each part zero-initializes the label values it knows.
 */
export function outboundMetrics(registry: Registry): OutboundMetrics {
  const made = new Map<string, Counter<string>>();
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> => {
    let metric = made.get(name);
    if (!metric) {
      metric = new Counter<string>({ name, help, labelNames, registers: [registry] });
      made.set(name, metric);
    }
    return metric as Counter<L>;
  };
  return {
    get relayPublishes() {
      return counter(
        METRIC.relayPublishes,
        "Relays' answers to events the exporter signed and published, by purpose (notify, probe) and result.",
        ['purpose', 'result'],
      );
    },
    get notifications() {
      return counter(
        METRIC.notifications,
        'Alert direct messages, one per recipient and message, by result: sent, retried (an attempt failed), failed (gave up), duplicate, rate_limited, queue_full.',
        ['result'],
      );
    },
    get probes() {
      return counter(
        METRIC.probes,
        'Probes run through /probe, by module and result (success, timeout, payment_required, error, not_published).',
        ['module', 'result'],
      );
    },
    get probeRefusals() {
      return counter(
        METRIC.probeRefusals,
        '/probe requests refused, by reason (bad_target, unknown_module, too_soon, busy).',
        ['reason'],
      );
    },
  };
}
