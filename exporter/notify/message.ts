import { npubEncode } from 'nostr-tools/nip19';
import { traceIdFor } from '../jobs/trace-ids.js';
import { type AlertStatus, alertTime, type WebhookAlert } from './webhook.js';

/**
 * The direct message a person reads: what happened (firing or resolved), which alert, which DVM (name
 * and key), since when, the summary, and where to look (the DVM detail dashboard, the job's trace).
 * Pure: the same alerts give the same text.
 */

export interface MessageLinks {
  /** Grafana's base URL, e.g. http://localhost:3000. */
  readonly grafanaUrl: string;
  /** Jaeger's base URL, e.g. http://localhost:16686. */
  readonly traceUrl: string;
}

/** Alerts listed in one message; the rest are counted. */
export const MAX_ALERTS_LISTED = 10;
/** Longest message (characters); longer annotations are cut. */
export const MAX_MESSAGE_CHARS = 4_000;
const MAX_FIELD_CHARS = 500;
const HEX_64 = /^[0-9a-f]{64}$/;

export function renderMessage(
  status: AlertStatus,
  alerts: readonly WebhookAlert[],
  links: MessageLinks,
): string {
  const names = [...new Set(alerts.map((a) => a.labels.alertname ?? 'alert'))];
  const head = `${status === 'firing' ? 'FIRING' : 'RESOLVED'}: ${names.join(', ')}${
    alerts.length > 1 ? ` (${alerts.length} alerts)` : ''
  }`;
  const blocks = alerts.slice(0, MAX_ALERTS_LISTED).map((alert) => alertBlock(status, alert, links));
  if (alerts.length > MAX_ALERTS_LISTED) blocks.push(`…and ${alerts.length - MAX_ALERTS_LISTED} more.`);
  const text = [head, ...blocks].join('\n\n');
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS - 1)}…` : text;
}

function alertBlock(status: AlertStatus, alert: WebhookAlert, links: MessageLinks): string {
  const lines: string[] = [];
  const summary = field(alert.annotations.summary);
  lines.push(
    summary ? `${alert.labels.alertname ?? 'alert'}: ${summary}` : (alert.labels.alertname ?? 'alert'),
  );
  const dvm = alert.labels.dvm;
  if (dvm !== undefined && HEX_64.test(dvm)) {
    const name = field(alert.labels.name);
    lines.push(`DVM: ${name ? `${name} ` : ''}${npubEncode(dvm)}`);
  }
  if (alert.labels.severity) lines.push(`Severity: ${field(alert.labels.severity)}`);
  const since = alertTime(alert.startsAt);
  const ended = alertTime(alert.endsAt);
  if (status === 'firing' && since !== null) lines.push(`Since: ${utc(since)}`);
  if (status === 'resolved') {
    lines.push(
      `Was firing: ${since === null ? '?' : utc(since)} to ${ended === null ? 'now' : utc(ended)}${
        since !== null && ended !== null ? ` (${duration(ended - since)})` : ''
      }`,
    );
  }
  const description = field(alert.annotations.description);
  if (description && status === 'firing') lines.push(description);
  const dashboard = dashboardLink(alert, links.grafanaUrl);
  if (dashboard) lines.push(`Dashboard: ${dashboard}`);
  const trace = traceLink(alert, links.traceUrl);
  if (trace) lines.push(`Trace: ${trace}`);
  return lines.join('\n');
}

/** The rule's `dashboard` annotation (a path in Grafana), else the DVM detail page of the alert's DVM. */
export function dashboardLink(alert: WebhookAlert, grafanaUrl: string): string | null {
  const base = grafanaUrl.replace(/\/+$/, '');
  const path = alert.annotations.dashboard;
  if (path?.startsWith('/')) return base + path;
  const dvm = alert.labels.dvm;
  if (dvm !== undefined && HEX_64.test(dvm)) return `${base}/d/dvm-detail/dvm-detail?var-dvm=${dvm}`;
  return null;
}

/** The trace of the job an alert names (label or annotation `job_id`, a request id), if it names one. */
export function traceLink(alert: WebhookAlert, traceUrl: string): string | null {
  const job = alert.labels.job_id ?? alert.annotations.job_id;
  if (job === undefined || !HEX_64.test(job)) return null;
  return `${traceUrl.replace(/\/+$/, '')}/trace/${traceIdFor(job)}`;
}

function field(value: string | undefined): string {
  if (value === undefined) return '';
  const flat = value.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_FIELD_CHARS ? `${flat.slice(0, MAX_FIELD_CHARS - 1)}…` : flat;
}

function utc(seconds: number): string {
  return `${new Date(Math.floor(seconds) * 1000).toISOString().replace('T', ' ').replace('.000Z', '')} UTC`;
}

function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s} s`;
  if (s < 7_200) return `${Math.round(s / 60)} min`;
  return `${(s / 3_600).toFixed(1)} h`;
}
