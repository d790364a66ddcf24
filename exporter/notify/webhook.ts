import { z } from 'zod';

/**
 * The body Alertmanager's webhook receiver posts, protocol version 4: `Message` in
 * notify/webhook/webhook.go embedding `template.Data` (template/template.go) of prometheus/alertmanager
 * (unchanged from 0.25 to 0.28). Times are RFC 3339; an alert still firing has the zero time
 * `0001-01-01T00:00:00Z` as `endsAt`.
 */

const labels = z.record(z.string(), z.string());

export const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels,
  annotations: labels.default({}),
  startsAt: z.string(),
  endsAt: z.string().default(''),
  generatorURL: z.string().default(''),
  fingerprint: z.string().default(''),
});

export const webhookSchema = z.object({
  version: z.literal('4'),
  groupKey: z.string(),
  truncatedAlerts: z.number().int().nonnegative().default(0),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().default(''),
  groupLabels: labels.default({}),
  commonLabels: labels.default({}),
  commonAnnotations: labels.default({}),
  externalURL: z.string().default(''),
  alerts: z.array(alertSchema).max(1_000),
});

export type WebhookAlert = z.infer<typeof alertSchema>;
export type WebhookMessage = z.infer<typeof webhookSchema>;
export type AlertStatus = WebhookAlert['status'];

/** The payload, or a one-line reason it is not one. */
export function parseWebhook(
  body: unknown,
): { ok: true; message: WebhookMessage } | { ok: false; error: string } {
  const parsed = webhookSchema.safeParse(body);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
  return {
    ok: false,
    error: `not an Alertmanager webhook (version 4): ${where}: ${issue?.message ?? 'invalid'}`,
  };
}

/** Unix seconds of an RFC 3339 time; null for Alertmanager's zero time or anything unparsable. */
export function alertTime(text: string): number | null {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms) || ms <= 0) return null;
  return ms / 1000;
}
