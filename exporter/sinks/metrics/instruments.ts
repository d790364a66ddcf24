import { Counter, Histogram, Registry } from 'prom-client';
import { DURATION_BUCKETS, METRIC } from './names.js';

/**
 * The counters and histograms the metrics sink writes as domain events arrive. Histograms carry
 * exemplars when the registry is an OpenMetrics one (prom-client refuses them on any other).
 * `beforeCollect` runs before each is read, so time-driven changes (unanswered requests, idle DVMs
 * removed) show in the same scrape whatever order the registry renders metrics in.
 */
export function createInstruments(registry: Registry, beforeCollect: () => void) {
  const exemplars = (registry.contentType as string) === Registry.OPENMETRICS_CONTENT_TYPE;
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter<L>({ name, help, labelNames, registers, collect: beforeCollect });
  const histogram = (name: string, help: string) =>
    new Histogram<'kind' | 'dvm'>({
      name,
      help,
      labelNames: ['kind', 'dvm'],
      buckets: [...DURATION_BUCKETS],
      enableExemplars: exemplars,
      registers,
      collect: beforeCollect,
    });
  return {
    exemplars,
    requests: counter(METRIC.requests, 'Job requests, by request kind and whether encrypted.', [
      'kind',
      'encrypted',
    ]),
    requestsTargeted: counter(
      METRIC.requestsTargeted,
      'Job requests addressed to a DVM with a p tag (__unknown__: a pubkey never seen acting as a DVM).',
      ['kind', 'dvm'],
    ),
    requestsUnanswered: counter(
      METRIC.requestsUnanswered,
      'Requests addressed to a DVM that got no feedback or result from it within the answer timeout.',
      ['kind', 'dvm'],
    ),
    results: counter(
      METRIC.results,
      'Job results, by request kind (result kind - 1000), DVM and whether encrypted.',
      ['kind', 'dvm', 'encrypted'],
    ),
    feedback: counter(
      METRIC.feedback,
      'Job feedback events, by the kind of the request they point at (unknown when unseen), DVM and status.',
      ['kind', 'dvm', 'status'],
    ),
    duration: histogram(METRIC.duration, "Request created_at to the DVM's first result created_at."),
    firstResponse: histogram(
      METRIC.firstResponse,
      "Request created_at to the DVM's first feedback or result created_at.",
    ),
    jobsEnded: counter(
      METRIC.jobsEnded,
      'Jobs that reached an outcome (success, error, cancelled, expired).',
      ['kind', 'outcome'],
    ),
    paymentRequested: counter(
      METRIC.paymentRequested,
      'Millisats DVMs asked for in payment-required feedback, once per job and DVM (invoice amount, else tag).',
      ['kind', 'dvm'],
    ),
    paymentEarned: counter(
      METRIC.paymentEarned,
      'Millisats DVMs are taken to have earned: asked for payment on a job, then delivered a result for it.',
      ['kind', 'dvm'],
    ),
    paymentUnfulfilled: counter(
      METRIC.paymentUnfulfilled,
      'Jobs that ended (not cancelled) with the DVM having asked for payment and delivered no result.',
      ['kind', 'dvm'],
    ),
    backfill: counter(
      METRIC.backfill,
      'Accepted events created before the live window: kept out of live counters and histograms.',
      ['role'],
    ),
    late: counter(METRIC.late, 'Results, feedback and cancellations for jobs that had already ended.', [
      'role',
    ]),
    kindMismatch: counter(METRIC.kindMismatch, "Results whose kind is not their request's kind + 1000.", []),
    implausibleAmounts: counter(
      METRIC.implausibleAmounts,
      'Results and feedback whose amount (tag or invoice) is beyond any plausible price (10 BTC); never summed.',
      [],
    ),
    clockSkew: counter(
      METRIC.clockSkew,
      'Durations that came out negative (a response created before its request); observed as 0.',
      [],
    ),
    labelOverflow: counter(
      METRIC.labelOverflow,
      'Writes folded into dvm="__other__" because the DVM label cap was reached, by metric.',
      ['metric'],
    ),
    idleDvmsRemoved: counter(METRIC.idleDvmsRemoved, 'DVMs whose series were removed after being idle.', []),
  };
}

export type Instruments = ReturnType<typeof createInstruments>;
