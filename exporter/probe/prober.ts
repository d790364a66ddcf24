import type { Event } from 'nostr-tools/core';
import { finalizeEvent } from 'nostr-tools/pure';
import type { Counter } from 'prom-client';
import type { Clock } from '../base/clock.js';
import type { Logger } from '../base/logger.js';
import { classify } from '../model/classify.js';
import { KIND_JOB_FEEDBACK } from '../model/kinds.js';
import { type EventPublisher, isStored, type RelayOutcome } from '../nostr/publisher.js';
import { PROBE_MARKER } from '../pipeline/probe-traffic.js';
import type { ProbeModule } from './modules.js';

/**
 * One active probe: a canary job request signed with the probe key, `p`-tagged to the target DVM and
 * marked as a probe, published to the relays; then the DVM's feedback and result are awaited until the
 * module's timeout. A probe never pays: a `payment-required` answer ends it as a failure, showing the
 * amount asked.
 */

export const PROBE_RESULTS = ['success', 'timeout', 'payment_required', 'error', 'not_published'] as const;
export type ProbeResult = (typeof PROBE_RESULTS)[number];

export interface ProbeOutcome {
  readonly result: ProbeResult;
  readonly requestId: string;
  readonly kind: number;
  readonly durationSeconds: number;
  /** Request published -> first feedback or result; null when none came. */
  readonly firstResponseSeconds: number | null;
  /** Request published -> result; null when none came. */
  readonly resultSeconds: number | null;
  /** Feedback statuses seen, in order of arrival, each once. */
  readonly feedback: readonly string[];
  /** Millisats asked in `payment-required` feedback (tag amount, else the invoice's), if asked. */
  readonly paymentMsats: number | null;
  /** Each relay's answer to the probe request, one per distinct relay. */
  readonly relays: readonly RelayOutcome[];
}

export interface ProberSettings {
  readonly secretKey: Uint8Array;
  readonly relays: readonly string[];
  readonly minIntervalSeconds: number;
  readonly maxConcurrent: number;
  readonly modules: ReadonlyMap<string, ProbeModule>;
}

export type Admission =
  | { readonly ok: true; readonly module: ProbeModule; release(): void }
  | {
      readonly ok: false;
      readonly status: 400 | 429;
      readonly reason: RefusalReason;
      readonly error: string;
    };

export const REFUSAL_REASONS = ['unknown_module', 'too_soon', 'busy'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number] | 'bad_target';

const MAX_REMEMBERED_TARGETS = 10_000;

export class Prober {
  private readonly lastProbe = new Map<string, number>();
  private running = 0;

  constructor(
    private readonly settings: ProberSettings,
    private readonly deps: {
      readonly publisher: EventPublisher;
      /** `dvm_exporter_probes_total`, by module and result. */
      readonly outcomes: Counter<'module' | 'result'>;
      /** `dvm_exporter_probe_refusals_total`, by reason. */
      readonly refusals: Counter<'reason'>;
      readonly logger: Logger;
      readonly clock: Clock;
    },
  ) {
    for (const module of settings.modules.keys())
      for (const result of PROBE_RESULTS) deps.outcomes.inc({ module, result }, 0);
    for (const reason of [...REFUSAL_REASONS, 'bad_target']) deps.refusals.inc({ reason }, 0);
  }

  /** Counts a refusal decided outside (a target that does not parse). */
  refuse(reason: RefusalReason): void {
    this.deps.refusals.inc({ reason });
  }

  /** Whether a probe of `target` with `moduleName` may start now; takes its place when it may. */
  admit(target: string, moduleName: string): Admission {
    const module = this.settings.modules.get(moduleName);
    if (!module) return this.refused(400, 'unknown_module', `unknown module "${moduleName.slice(0, 64)}"`);
    const now = this.deps.clock.now();
    const last = this.lastProbe.get(target);
    if (last !== undefined && now - last < this.settings.minIntervalSeconds) {
      const wait = Math.ceil(this.settings.minIntervalSeconds - (now - last));
      return this.refused(
        429,
        'too_soon',
        `target probed less than ${this.settings.minIntervalSeconds} s ago; retry in ${wait} s`,
      );
    }
    if (this.running >= this.settings.maxConcurrent)
      return this.refused(429, 'busy', `${this.settings.maxConcurrent} probes already running`);
    this.running++;
    this.lastProbe.delete(target);
    this.lastProbe.set(target, now);
    if (this.lastProbe.size > MAX_REMEMBERED_TARGETS)
      this.lastProbe.delete(this.lastProbe.keys().next().value as string);
    let released = false;
    return {
      ok: true,
      module,
      release: () => {
        if (!released) this.running--;
        released = true;
      },
    };
  }

  /** Runs one probe; resolves within `timeoutSeconds` (plus publishing), never rejects. */
  async probe(
    target: string,
    moduleName: string,
    module: ProbeModule,
    timeoutSeconds: number,
  ): Promise<ProbeOutcome> {
    const relays = module.relays.length > 0 ? module.relays : this.settings.relays;
    const created = Math.floor(this.deps.clock.now());
    const request = finalizeEvent(
      {
        kind: module.kind,
        created_at: created,
        tags: [
          ...module.inputs.map((input) => ['i', ...input]),
          ...module.params.map(([name, value]) => ['param', name, value]),
          ['p', target],
          ['relays', ...relays],
          [...PROBE_MARKER],
          // NIP-40: relays may drop the canary once nobody needs it.
          ['expiration', String(created + Math.ceil(timeoutSeconds) + 600)],
        ],
        content: '',
      },
      this.settings.secretKey,
    );
    const started = performance.now();
    const since = () => (performance.now() - started) / 1000;
    const feedback: string[] = [];
    let firstResponse: number | null = null;
    let resultAt: number | null = null;
    let paymentMsats: number | null = null;
    let ended: ProbeResult | null = null;
    let finish: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const onEvent = (event: Event) => {
      if (ended !== null || event.pubkey !== target) return;
      const classified = classify(event);
      if (!classified.ok) return;
      const answer = classified.event;
      if (answer.role !== 'feedback' && answer.role !== 'result') return;
      if (answer.requestId !== request.id) return;
      firstResponse ??= since();
      if (answer.role === 'result') {
        resultAt = since();
        ended = 'success';
        finish();
        return;
      }
      if (!feedback.includes(answer.status)) feedback.push(answer.status);
      if (answer.status === 'payment-required') {
        paymentMsats = answer.amount?.tagMsat ?? answer.amount?.invoiceMsat ?? null;
        ended = 'payment_required';
        finish();
      } else if (answer.status === 'error') {
        ended = 'error';
        finish();
      }
    };
    // Subscribed before publishing, so an instant answer is not missed.
    const subscription = this.deps.publisher.subscribe(
      relays,
      { kinds: [module.kind + 1000, KIND_JOB_FEEDBACK], '#e': [request.id], authors: [target] },
      { onevent: onEvent },
    );
    const timer = setTimeout(() => finish(), timeoutSeconds * 1000);
    let published: RelayOutcome[] = [];
    try {
      published = await this.deps.publisher.publish(request, relays);
      if (!published.some(isStored) && ended === null) {
        ended = 'not_published';
        finish();
      }
      await done;
    } finally {
      clearTimeout(timer);
      subscription.close();
    }
    const result: ProbeResult = ended ?? 'timeout';
    this.deps.outcomes.inc({ module: moduleName, result });
    this.deps.logger.debug({ module: moduleName, result, requestId: request.id }, 'probe finished');
    return {
      result,
      requestId: request.id,
      kind: module.kind,
      durationSeconds: since(),
      firstResponseSeconds: firstResponse,
      resultSeconds: resultAt,
      feedback,
      paymentMsats,
      relays: published,
    };
  }

  private refused(status: 400 | 429, reason: RefusalReason, error: string): Admission {
    this.deps.refusals.inc({ reason });
    return { ok: false, status, reason, error };
  }
}
