import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../exporter/base/clock.js';
import { RateLimiter, RecentKeys } from '../../exporter/notify/limits.js';
import { renderMessage } from '../../exporter/notify/message.js';
import { planMessages } from '../../exporter/notify/plan.js';
import { parseWebhook } from '../../exporter/notify/webhook.js';
import { webhookBody } from './support.js';

// NIP-19's own example pair (nips/19.md): this hex key is npub10elfcs4fr0l0r8af98jlmgdh9c8tcxjvz9qkw038js35mp4dma8qzvjptg.
const DVM = '7e7e9c42a91bfef19fa929e5fda1b72e0ebc1a4c1141673e2794234d86addf4e';
const DVM_NPUB = 'npub10elfcs4fr0l0r8af98jlmgdh9c8tcxjvz9qkw038js35mp4dma8qzvjptg';
const OTHER = 'b'.repeat(64);
const ALICE = 'a'.repeat(64);
const OPERATOR = 'c'.repeat(64);
const links = { grafanaUrl: 'http://grafana.example:3000/', traceUrl: 'http://jaeger.example' };

const down = {
  labels: {
    alertname: 'DvmDown',
    dvm: DVM,
    name: 'Lighthouse',
    severity: 'critical',
    evidence: 'unanswered',
  },
  annotations: {
    summary: 'DVM Lighthouse is down',
    description: '3 requests addressed to Lighthouse got no answer.',
    dashboard: `/d/dvm-detail/dvm-detail?var-dvm=${DVM}`,
  },
  startsAt: '2026-12-03T10:15:30.123Z',
};

const parsed = (body: unknown) => {
  const result = parseWebhook(body);
  if (!result.ok) throw new Error(result.error);
  return result.message;
};

describe('the message a person reads', () => {
  it('says firing, names the alert and the DVM by name and npub, since when, the summary and the links', () => {
    const job = 'e'.repeat(64);
    const alert = parsed(webhookBody([{ ...down, labels: { ...down.labels, job_id: job } }])).alerts;
    expect(renderMessage('firing', alert, links)).toBe(
      [
        'FIRING: DvmDown',
        '',
        'DvmDown: DVM Lighthouse is down',
        `DVM: Lighthouse ${DVM_NPUB}`,
        'Severity: critical',
        'Since: 2026-12-03 10:15:30 UTC',
        '3 requests addressed to Lighthouse got no answer.',
        `Dashboard: http://grafana.example:3000/d/dvm-detail/dvm-detail?var-dvm=${DVM}`,
        `Trace: http://jaeger.example/trace/${'e'.repeat(32)}`,
      ].join('\n'),
    );
  });

  it('says resolved with how long it fired, and links the DVM detail page when the rule gave none', () => {
    const alert = parsed(
      webhookBody([
        {
          status: 'resolved',
          labels: { alertname: 'DvmDown', dvm: DVM, name: 'Lighthouse' },
          startsAt: '2026-12-03T10:00:00Z',
          endsAt: '2026-12-03T10:42:00Z',
        },
      ]),
    ).alerts;
    const text = renderMessage('resolved', alert, links);
    expect(text).toContain('RESOLVED: DvmDown');
    expect(text).toContain('Was firing: 2026-12-03 10:00:00 UTC to 2026-12-03 10:42:00 UTC (42 min)');
    expect(text).toContain(`Dashboard: http://grafana.example:3000/d/dvm-detail/dvm-detail?var-dvm=${DVM}`);
    expect(text).not.toContain('Trace:');
  });

  it('stays bounded whatever the alerts hold', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({
      labels: { alertname: `A${i}`, name: 'x'.repeat(10_000) },
      annotations: { summary: 'line\nbreak '.repeat(1_000) },
    }));
    const text = renderMessage('firing', parsed(webhookBody(many)).alerts, links);
    expect(text.length).toBeLessThanOrEqual(4_000);
    expect(text).not.toMatch(/line\nbreak/);
  });

  it('refuses what is not an Alertmanager webhook with a one-line reason', () => {
    const result = parseWebhook({ version: '3', alerts: [] });
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.error).toMatch(/^not an Alertmanager webhook \(version 4\): version: .+$/);
  });
});

describe('who gets which message', () => {
  const audience = { recipients: [ALICE], subscriptions: new Map([[DVM, OPERATOR]]) };

  it('sends the group to every recipient, each DVM operator only its own alerts, one message per status', () => {
    const body = webhookBody([
      down,
      { labels: { alertname: 'DvmDown', dvm: OTHER }, fingerprint: 'other' },
      { status: 'resolved', labels: { alertname: 'DvmDown', dvm: DVM }, fingerprint: 'old' },
    ]);
    const planned = planMessages(parsed(body), audience);
    const summary = planned.map((p) => [p.recipient, p.status, p.alerts.map((a) => a.labels.dvm)]);
    expect(summary).toEqual([
      [ALICE, 'firing', [DVM, OTHER]],
      [OPERATOR, 'firing', [DVM]],
      [ALICE, 'resolved', [DVM]],
      [OPERATOR, 'resolved', [DVM]],
    ]);
    expect(new Set(planned.map((p) => p.dedupKey)).size).toBe(4);
  });

  it('gives a retried webhook the same keys, and a new firing of the same alert new ones', () => {
    const once = planMessages(parsed(webhookBody([down])), audience).map((p) => p.dedupKey);
    const again = planMessages(parsed(webhookBody([down])), audience).map((p) => p.dedupKey);
    const later = planMessages(
      parsed(webhookBody([{ ...down, startsAt: '2026-12-04T00:00:00Z' }])),
      audience,
    );
    expect(again).toEqual(once);
    expect(later.map((p) => p.dedupKey).some((k) => once.includes(k))).toBe(false);
  });
});

describe('dedup and rate limits', () => {
  it('remembers keys for their time to live', () => {
    const clock = new ManualClock(1_000);
    const keys = new RecentKeys(clock, 60, 2);
    keys.add('a');
    expect(keys.has('a')).toBe(true);
    clock.advance(61);
    expect(keys.has('a')).toBe(false);
    keys.add('b');
    keys.add('c');
    keys.add('d');
    expect([keys.has('b'), keys.has('c'), keys.has('d')]).toEqual([false, true, true]);
  });

  it('allows so many messages per recipient in any sliding hour', () => {
    const clock = new ManualClock(0);
    const limiter = new RateLimiter(clock, 2);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a'), limiter.take('b')]).toEqual([
      true,
      true,
      false,
      true,
    ]);
    clock.advance(3_599);
    expect(limiter.take('a')).toBe(false);
    clock.advance(1);
    expect(limiter.take('a')).toBe(true);
  });
});
