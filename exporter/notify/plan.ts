import { createHash } from 'node:crypto';
import type { AlertStatus, WebhookAlert, WebhookMessage } from './webhook.js';

/**
 * Who gets which alerts of one webhook call. Alertmanager posts a group (alerts sharing `dvm` and
 * `alertname` in the shipped route); a call can hold firing and resolved alerts at once, so each status is
 * its own message. Everyone in `recipients` gets the whole group; a DVM's operator (from `subscriptions`)
 * gets only the alerts about that DVM. Pure.
 */

export interface Audience {
  /** Recipients of every alert (hex pubkeys). */
  readonly recipients: readonly string[];
  /** DVM pubkey -> its operator's pubkey (hex both). */
  readonly subscriptions: ReadonlyMap<string, string>;
}

export interface PlannedMessage {
  readonly recipient: string;
  readonly status: AlertStatus;
  readonly alerts: readonly WebhookAlert[];
  /**
   * Same group, status, alerts and recipient give the same key, so a webhook that Alertmanager retries
   * (or a second Alertmanager of an HA pair sends) is recognised.
   */
  readonly dedupKey: string;
}

export function planMessages(message: WebhookMessage, audience: Audience): PlannedMessage[] {
  const planned: PlannedMessage[] = [];
  for (const status of ['firing', 'resolved'] as const) {
    const alerts = message.alerts.filter((a) => a.status === status);
    if (alerts.length === 0) continue;
    const byRecipient = new Map<string, WebhookAlert[]>();
    for (const recipient of audience.recipients) byRecipient.set(recipient, [...alerts]);
    for (const alert of alerts) {
      const operator =
        alert.labels.dvm === undefined ? undefined : audience.subscriptions.get(alert.labels.dvm);
      if (operator === undefined) continue;
      const own = byRecipient.get(operator);
      if (own === undefined) byRecipient.set(operator, [alert]);
      else if (!own.includes(alert)) own.push(alert);
    }
    for (const [recipient, own] of byRecipient) {
      planned.push({
        recipient,
        status,
        alerts: own,
        dedupKey: dedupKey(message.groupKey, status, recipient, own),
      });
    }
  }
  return planned;
}

function dedupKey(
  groupKey: string,
  status: AlertStatus,
  recipient: string,
  alerts: readonly WebhookAlert[],
): string {
  const identities = alerts
    .map((a) => `${a.fingerprint || JSON.stringify(Object.entries(a.labels).sort())}@${a.startsAt}`)
    .sort();
  return createHash('sha256')
    .update(JSON.stringify([groupKey, status, recipient, identities]))
    .digest('hex');
}
