import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Counter } from 'prom-client';
import type { Clock } from '../base/clock.js';
import { UsageError } from '../base/errors.js';
import { answerFeatureOff } from '../base/feature-off.js';
import type { Logger } from '../base/logger.js';
import type { Config } from '../config/schema.js';
import { parsePublicKey, parseSecretKey } from '../model/nostr-keys.js';
import { EventPublisher } from '../nostr/publisher.js';
import { checkAccess } from './access.js';
import { Notifier, type NotifierSettings } from './notifier.js';
import { parseWebhook } from './webhook.js';

/**
 * Alert delivery to Nostr: `POST /api/alertmanager` takes Alertmanager's webhook and sends direct
 * messages; `GET /api/alertmanager` shows the newest deliveries and every relay's answer.
 * Off (null) unless `notify.secretKey` is set.
 */

export const ALERTMANAGER_PATH = '/api/alertmanager';

/** The self-metrics notifications count into, handed down by the assembly. */
export interface NotifyMetrics {
  readonly relayPublishes: Counter<'purpose' | 'result'>;
  readonly notifications: Counter<'result'>;
}

export interface Notifications {
  readonly notifier: Notifier;
  close(): void;
}

/** Settings from the config; a UsageError when notifications are half configured. */
export function notifierSettings(config: Config): NotifierSettings | null {
  const notify = config.notify;
  if (notify.secretKey === undefined || notify.secretKey === '') return null;
  const subscriptions = new Map(
    Object.entries(notify.subscriptions).map(([dvm, operator]) => [
      parsePublicKey(dvm),
      parsePublicKey(operator),
    ]),
  );
  const recipients = [...new Set(notify.recipients.map(parsePublicKey))];
  if (recipients.length === 0 && subscriptions.size === 0)
    throw new UsageError(
      'config: notify.secretKey is set but neither notify.recipients nor notify.subscriptions names anyone',
    );
  return {
    secretKey: parseSecretKey(notify.secretKey),
    recipients,
    subscriptions,
    relays: notify.relays.length > 0 ? notify.relays : config.ingest.relays,
    grafanaUrl: notify.grafanaUrl,
    traceUrl: notify.traceUrl,
    maxPerRecipientPerHour: notify.maxPerRecipientPerHour,
    dedupSeconds: notify.dedupSeconds,
    maxAttempts: notify.maxAttempts,
    retryMinSeconds: notify.retryMinSeconds,
  };
}

/** Mounts the webhook on `router` when notifications are configured; else answers 404 saying so. */
export function mountNotifications(
  router: Router,
  config: Config,
  deps: { metrics: NotifyMetrics; logger: Logger; clock: Clock },
): Notifications | null {
  const settings = notifierSettings(config);
  if (settings === null) {
    answerFeatureOff(router, ALERTMANAGER_PATH, 'notifications are not configured (notify.secretKey)');
    return null;
  }
  const publisher = new EventPublisher({
    purpose: 'notify',
    ...deps,
    publishTimeoutMs: config.notify.publishTimeoutSeconds * 1000,
  });
  const notifier = new Notifier(settings, {
    publisher,
    counter: deps.metrics.notifications,
    logger: deps.logger,
    clock: deps.clock,
  });
  const token = config.notify.webhookToken || undefined;
  router.post(ALERTMANAGER_PATH, express.json({ limit: '2mb' }), (req, res) => {
    const access = checkAccess(req, token);
    if (!access.ok) {
      res.status(access.status).type('text').send(`${access.error}\n`);
      return;
    }
    const parsed = parseWebhook(req.body);
    if (!parsed.ok) {
      res.status(400).type('text').send(`${parsed.error}\n`);
      return;
    }
    res.json(notifier.accept(parsed.message));
  });
  // A body that is not JSON (or too large): one line, not express's HTML page.
  router.use(
    ALERTMANAGER_PATH,
    (err: Error & { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
      res
        .status(err.status && err.status < 500 ? err.status : 400)
        .type('text')
        .send(`bad request body: ${err.message.split('\n')[0]}\n`);
    },
  );
  router.get(ALERTMANAGER_PATH, (req, res) => {
    const access = checkAccess(req, token);
    if (!access.ok) {
      res.status(access.status).type('text').send(`${access.error}\n`);
      return;
    }
    res.json(notifier.status());
  });
  deps.logger.info(
    {
      recipients: settings.recipients.length,
      subscriptions: settings.subscriptions.size,
      relays: settings.relays.length,
    },
    'alert notifications to Nostr on',
  );
  return {
    notifier,
    close: () => {
      notifier.close();
      publisher.close();
    },
  };
}
