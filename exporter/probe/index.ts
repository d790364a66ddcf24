import type { Router } from 'express';
import { getPublicKey } from 'nostr-tools/pure';
import type { Counter } from 'prom-client';
import type { Clock } from '../base/clock.js';
import { answerFeatureOff } from '../base/feature-off.js';
import type { Logger } from '../base/logger.js';
import type { Config } from '../config/schema.js';
import { type KeyFormatError, parsePublicKey, parseSecretKey } from '../model/nostr-keys.js';
import { EventPublisher } from '../nostr/publisher.js';
import { renderProbe } from './exposition.js';
import { probeModules } from './modules.js';
import { Prober } from './prober.js';

/**
 * `GET /probe?target=<DVM pubkey>&module=<name>`: blackbox_exporter's multi-target pattern for DVMs.
 * Off (404 saying so) unless `probe.secretKey` is set.
 */

export const PROBE_PATH = '/probe';

/** The self-metrics probes count into, handed down by the assembly. */
export interface ProbeMetrics {
  readonly relayPublishes: Counter<'purpose' | 'result'>;
  readonly probes: Counter<'module' | 'result'>;
  readonly probeRefusals: Counter<'reason'>;
}
/** Prometheus sends its scrape timeout; the probe ends this much before it (blackbox's default offset). */
const SCRAPE_TIMEOUT_OFFSET_SECONDS = 0.5;

/** The probe key's public half, for the pipeline to recognise answers to probes. */
export function probePublicKeys(config: Config): string[] {
  const key = config.probe.secretKey;
  return key ? [getPublicKey(parseSecretKey(key))] : [];
}

export interface Probes {
  readonly prober: Prober;
  close(): void;
}

export function mountProbe(
  router: Router,
  config: Config,
  deps: { metrics: ProbeMetrics; logger: Logger; clock: Clock },
): Probes | null {
  if (!config.probe.secretKey) {
    answerFeatureOff(router, PROBE_PATH, 'probing is not configured (probe.secretKey)');
    return null;
  }
  const publisher = new EventPublisher({ purpose: 'probe', ...deps });
  const prober = new Prober(
    {
      secretKey: parseSecretKey(config.probe.secretKey),
      relays: config.probe.relays.length > 0 ? config.probe.relays : config.ingest.relays,
      minIntervalSeconds: config.probe.minIntervalSeconds,
      maxConcurrent: config.probe.maxConcurrent,
      modules: probeModules(config.probe),
    },
    {
      publisher,
      outcomes: deps.metrics.probes,
      refusals: deps.metrics.probeRefusals,
      logger: deps.logger,
      clock: deps.clock,
    },
  );
  router.get(PROBE_PATH, async (req, res) => {
    const fail = (status: number, error: string) => res.status(status).type('text').send(`${error}\n`);
    const targetParam = req.query.target;
    const moduleParam = req.query.module ?? 'text-generation';
    if (typeof targetParam !== 'string' || typeof moduleParam !== 'string') {
      prober.refuse('bad_target');
      return fail(400, 'target (a DVM pubkey, hex or npub) and module must each be given once');
    }
    let target: string;
    try {
      target = parsePublicKey(targetParam);
    } catch (error) {
      prober.refuse('bad_target');
      return fail(400, `target: ${(error as KeyFormatError).message}`);
    }
    const admission = prober.admit(target, moduleParam);
    if (!admission.ok) return fail(admission.status, admission.error);
    try {
      const scrapeTimeout = Number(req.get('x-prometheus-scrape-timeout-seconds'));
      const timeout =
        Number.isFinite(scrapeTimeout) && scrapeTimeout > SCRAPE_TIMEOUT_OFFSET_SECONDS
          ? Math.min(admission.module.timeoutSeconds, scrapeTimeout - SCRAPE_TIMEOUT_OFFSET_SECONDS)
          : admission.module.timeoutSeconds;
      const outcome = await prober.probe(target, moduleParam, admission.module, timeout);
      const { contentType, body } = await renderProbe(outcome);
      res.set('content-type', contentType).send(body);
    } catch (err) {
      deps.logger.error({ err }, 'probe failed');
      fail(500, 'probe failed');
    } finally {
      admission.release();
    }
  });
  deps.logger.info({ modules: [...probeModules(config.probe).keys()] }, 'probing on /probe');
  return {
    prober,
    close: () => publisher.close(),
  };
}
