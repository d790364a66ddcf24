import type { NostrEvent } from '../model/nostr-event.js';
import * as content from './content.js';
import { dvmKey, type SimDvm } from './keys.js';
import {
  BARE,
  feedbackTemplate,
  NDK,
  NOSTRDVM,
  type ResponseStyle,
  resultTemplate,
  zapReceiptTemplate,
  zapRequestTemplate,
} from './shapes.js';
import { type EventTemplate, type SimKey, signEvent } from './signer.js';
import type { World } from './world.js';

/** One job as a DVM sees it. */
export interface JobContext {
  readonly request: NostrEvent;
  readonly customer: SimKey;
  /** When the inputs are ready: a chain step waits for the result of the job it builds on. */
  readonly readyAt: number;
  /** A chain step: the DVM says `chain-scheduled` first. */
  readonly chained: boolean;
  readonly encrypted: boolean;
  /** When the customer cancels, if they do; the DVMs that notice stop answering then. */
  readonly cancelAt?: number;
}

export interface Answer {
  /** The result, when the DVM delivers one. */
  readonly result: NostrEvent | null;
}

const PIXEL: ResponseStyle = { eTag: 'plain', expiration: false, requestTag: true, nostrdvmExtras: false };

export const STYLES: Readonly<Record<string, ResponseStyle>> = {
  Feedwise: NOSTRDVM,
  Lighthouse: NOSTRDVM,
  Glacier: NOSTRDVM,
  Babel: NDK,
  Tollbooth: NDK,
  Stumble: BARE,
  Trustgraph: BARE,
  Pixelsmith: PIXEL,
};

/** Schedules everything `dvm` publishes about `job`, following its behaviour. */
export function answerJob(world: World, dvm: SimDvm, job: JobContext): Answer {
  const responder = new Responder(world, dvm, job);
  switch (dvm.behaviour) {
    case 'healthy':
    case 'down':
      return answerHealthy(responder);
    case 'paid':
      return answerPaid(responder);
    case 'slow':
      return answerSlow(responder);
    case 'unpaid':
      return answerUnpaid(responder);
    case 'erroring':
      return answerErroring(responder);
    case 'minimal':
      return answerMinimal(responder);
  }
}

/** Publishes one DVM's responses to one job, honouring the DVM going down and the job being cancelled. */
class Responder {
  readonly style: ResponseStyle;
  readonly key: SimKey;
  readonly relayHint: string;

  constructor(
    readonly world: World,
    readonly dvm: SimDvm,
    readonly job: JobContext,
  ) {
    const style = STYLES[dvm.name] ?? BARE;
    this.style = world.expirationTags ? style : { ...style, expiration: false };
    this.key = dvmKey(dvm.name);
    this.relayHint = content.SIM_RELAYS[0]!;
  }

  get rng() {
    return this.world.rng;
  }

  /** False once the DVM is down, or after a cancellation this DVM honours. */
  canSpeakAt(time: number): boolean {
    if (this.dvm.behaviour === 'down' && time >= this.world.downAt) return false;
    if (this.job.cancelAt !== undefined && time >= this.job.cancelAt) return false;
    return true;
  }

  feedback(
    time: number,
    status: string | undefined,
    note: string,
    extra: {
      statusText?: string;
      content?: string;
      amount?: readonly [string] | readonly [string, string];
    } = {},
  ): NostrEvent | null {
    if (!this.canSpeakAt(time)) return null;
    const template = feedbackTemplate({
      request: this.job.request,
      createdAt: time,
      style: this.style,
      status,
      relayHint: this.relayHint,
      encrypted: status === undefined,
      ...extra,
    });
    return this.world.emit(template, this.key, 'feedback', note);
  }

  /** Encrypted feedback: nostrdvm keeps no cleartext status, only `e`, `p`, `encrypted`, `expiration`. */
  encryptedFeedback(time: number): NostrEvent | null {
    return this.feedback(time, undefined, 'feedback.encrypted', {
      content: content.nip44Payload(this.rng, 40),
    });
  }

  result(time: number, body: string, note = 'result', omitE = false): NostrEvent | null {
    if (!this.canSpeakAt(time)) return null;
    const template: EventTemplate = resultTemplate({
      request: this.job.request,
      createdAt: time,
      style: this.style,
      content: body,
      encrypted: this.job.encrypted,
      omitE,
      relayHint: this.relayHint,
    });
    return this.world.emit(template, this.key, 'result', note);
  }

  /** The customer tips or pays the result with a zap; the LNURL server publishes the receipt. */
  zap(target: NostrEvent, msat: number, time: number): void {
    const zapRequest = signEvent(
      zapRequestTemplate(target, msat, content.SIM_RELAYS.slice(0, 2), time),
      this.job.customer,
    );
    const bolt11 = this.world.zapInvoice(msat, time, JSON.stringify(zapRequest));
    const receipt = zapReceiptTemplate(zapRequest, target, bolt11, this.rng.hex(32), time + 1);
    this.world.emit(receipt, this.world.keys.zapper, 'zap_receipt', 'zap_receipt.result');
  }

  resultBody(): string {
    const rng = this.rng;
    if (this.job.encrypted) return content.nip44Payload(rng, 300);
    switch (this.job.request.kind) {
      case 5300:
        return content.feedContent(rng);
      case 5050:
        return `Here is what I found: ${content.text(rng)}`;
      case 5000:
        return content.text(rng);
      case 5001:
        return `Summary: ${content.text(rng).split(',')[0]}.`;
      case 5002:
        return `[${content.language(rng)}] ${content.text(rng)}`;
      case 5100:
      case 5101:
      case 5102:
        return content.mediaUrl(rng, 'png');
      case 5312:
      case 5314:
        return content.rankingContent(rng);
      default:
        return content.text(rng);
    }
  }

  /** A chain step first says it is waiting for its input job. */
  chainScheduled(): void {
    if (!this.job.chained) return;
    const time = this.job.request.created_at + this.rng.int(1, 2);
    this.feedback(time, 'chain-scheduled', 'feedback.chain-scheduled', {
      content: 'Waiting for the input job',
    });
  }
}

function answerHealthy(r: Responder): Answer {
  const rng = r.rng;
  r.chainScheduled();
  let time = r.job.readyAt;
  if (rng.chance(0.5)) {
    time += rng.int(1, 2);
    r.feedback(time, 'processing', 'feedback.processing', { content: 'Processing your request' });
  }
  const isImage = r.job.request.kind >= 5100 && r.job.request.kind <= 5102;
  time += isImage ? rng.int(5, 25) : rng.int(2, 12);
  const result = r.result(time, r.resultBody());
  if (result && rng.chance(0.2)) r.feedback(time, 'success', 'feedback.success');
  if (result && rng.chance(0.04)) r.zap(result, rng.int(1, 21) * 1000, time + rng.int(5, 60));
  return { result };
}

function answerPaid(r: Responder): Answer {
  const rng = r.rng;
  if (r.job.encrypted) {
    const time = r.job.readyAt + rng.int(1, 3);
    r.encryptedFeedback(time);
    return { result: r.result(time + rng.int(5, 25), r.resultBody(), 'result.encrypted') };
  }
  if (r.job.chained) {
    // Chain steps were paid with the first step.
    r.chainScheduled();
    const time = r.job.readyAt + rng.int(1, 3);
    r.feedback(time, 'processing', 'feedback.processing');
    return { result: r.result(time + rng.int(3, 15), r.resultBody()) };
  }
  const msat = rng.chance(0.15) ? rng.int(1000, 99_999) : rng.int(21, 210) * 1000;
  const askedAt = r.job.readyAt + rng.int(1, 3);
  const invoice = r.world.invoice(msat, askedAt, `${r.dvm.name}: job ${r.job.request.id.slice(0, 8)}`);
  r.feedback(askedAt, 'payment-required', 'feedback.payment-required', {
    content: `Please pay ${Math.ceil(msat / 1000)} sats to continue`,
    amount: [String(msat), invoice],
  });
  const paidAt = askedAt + rng.int(5, 40);
  r.feedback(paidAt, 'processing', 'feedback.processing', { content: 'Payment received, working on it' });
  const doneAt = paidAt + rng.int(3, 20);
  const result = r.result(doneAt, r.resultBody());
  if (result && rng.chance(0.3)) r.feedback(doneAt, 'success', 'feedback.success');
  if (result && rng.chance(0.25)) r.zap(result, rng.int(1, 50) * 1000, doneAt + rng.int(5, 90));
  return { result };
}

function answerSlow(r: Responder): Answer {
  const rng = r.rng;
  r.chainScheduled();
  const startedAt = r.job.readyAt + rng.int(5, 20);
  r.feedback(startedAt, 'processing', 'feedback.processing', {
    content: `Queued, position ${rng.int(1, 9)}`,
  });
  const doneAt = startedAt + rng.int(120, 520);
  const partialAt = startedAt + Math.floor((doneAt - startedAt) / 2);
  r.feedback(partialAt, 'partial', 'feedback.partial', { content: content.mediaUrl(rng, 'jpg') });
  return { result: r.result(doneAt, r.resultBody()) };
}

function answerUnpaid(r: Responder): Answer {
  const rng = r.rng;
  const askedAt = r.job.readyAt + rng.int(1, 4);
  const sats = rng.int(500, 5000);
  const variant = rng.float();
  if (variant < 0.06) {
    // A lightning address and an underscore-separated number: real, and not parseable as msats.
    r.feedback(askedAt, 'payment-required', 'feedback.payment-required.unparsable-amount', {
      amount: ['100_000', 'botlab@zeuspay.com'],
    });
  } else {
    const msat = sats * 1000;
    const invoice = r.world.invoice(msat, askedAt, `${r.dvm.name} text generation`);
    // NDK's enum spells it with an underscore; the exporter normalises it.
    const spelling = variant < 0.16 ? 'payment_required' : 'payment-required';
    r.feedback(askedAt, spelling, `feedback.${spelling}`, {
      content: `This job costs ${sats} sats`,
      amount: [String(msat), invoice],
    });
  }
  return { result: null };
}

function answerErroring(r: Responder): Answer {
  const rng = r.rng;
  let time = r.job.readyAt;
  if (rng.chance(0.5)) {
    time += rng.int(1, 5);
    r.feedback(time, 'processing', 'feedback.processing');
  }
  if (rng.chance(0.6)) {
    const message = content.errorMessage(rng);
    r.feedback(time + rng.int(2, 10), 'error', 'feedback.error', { statusText: message, content: message });
    return { result: null };
  }
  const omitE = rng.chance(0.1);
  const result = r.result(time + rng.int(5, 20), r.resultBody(), omitE ? 'result.no-e-tag' : 'result', omitE);
  return { result: omitE ? null : result };
}

function answerMinimal(r: Responder): Answer {
  const rng = r.rng;
  const time = r.job.readyAt + rng.int(1, 3);
  if (rng.chance(0.08)) {
    r.feedback(time, 'error', 'feedback.error', { statusText: 'invalid target pubkey' });
    return { result: null };
  }
  return { result: r.result(time, r.resultBody()) };
}
