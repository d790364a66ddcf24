import type { NostrEvent } from '../model/nostr-event.js';
import { type Answer, answerJob, type JobContext } from './answers.js';
import { simDvm } from './keys.js';
import { cancellationTemplate, type RequestParts, requestTemplate } from './shapes.js';
import type { SimKey } from './signer.js';
import type { World } from './world.js';

/**
 * What customers do: one arrival of the Poisson process becomes one of these scenarios, each a request
 * (or a chain of them) plus everything the DVMs answer.
 */
export type JobScenario = (world: World, time: number) => void;

export type Parts = Omit<RequestParts, 'kind' | 'createdAt'>;

export interface Sent {
  readonly request: NostrEvent;
  readonly customer: SimKey;
}

/** Signs and schedules a request; a small share reaches the exporter late, after its first answers. */
export function sendRequest(
  world: World,
  customer: SimKey,
  kind: number,
  time: number,
  parts: Parts,
  note: string,
): Sent {
  const late = world.rng.chance(0.02);
  const template = requestTemplate({ kind, createdAt: time, ...parts });
  const at = late ? time + world.rng.int(20, 60) : time;
  const request = world.emit(template, customer, 'request', late ? `${note}.late` : note, at);
  return { request, customer };
}

export function answer(world: World, dvmName: string, sent: Sent, extra: Partial<JobContext> = {}): Answer {
  return answerJob(world, simDvm(dvmName), {
    request: sent.request,
    customer: sent.customer,
    readyAt: sent.request.created_at,
    chained: false,
    encrypted: false,
    ...extra,
  });
}

export function pubkey(name: string): string {
  return simDvm(name).pubkey;
}

/** Someone else "cancels" a job: a kind 5 from a key that is not the author's, which must not count. */
export function forgeCancellation(world: World, sent: Sent): void {
  const forger = world.rng.pick(world.keys.customers.filter((key) => key.pubkey !== sent.customer.pubkey));
  const at = sent.request.created_at + world.rng.int(1, 4);
  world.emit(cancellationTemplate(sent.request, at, 'cancel'), forger, 'cancellation', 'cancellation.forged');
}
