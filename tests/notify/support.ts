/**
 * An Alertmanager webhook body as Alertmanager 0.25-0.28 posts it: `Message` in notify/webhook/webhook.go
 * (version "4", groupKey, truncatedAlerts) embedding `template.Data` (template/template.go).
 */
export interface TestAlert {
  readonly status?: 'firing' | 'resolved';
  readonly labels: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly startsAt?: string;
  readonly endsAt?: string;
  readonly fingerprint?: string;
}

export function webhookBody(alerts: readonly TestAlert[], groupKey = '{}:{alertname="DvmDown", dvm="x"}') {
  const full = alerts.map((a, i) => ({
    status: a.status ?? 'firing',
    labels: a.labels,
    annotations: a.annotations ?? {},
    startsAt: a.startsAt ?? '2026-12-03T10:00:00.000Z',
    endsAt: a.endsAt ?? '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph?g0.expr=up',
    fingerprint: a.fingerprint ?? `f${i}`,
  }));
  return {
    receiver: 'dvm-operators',
    status: full.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    alerts: full,
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    version: '4',
    groupKey,
    truncatedAlerts: 0,
  };
}

export { openDirectMessages } from '../support/direct-messages.js';
