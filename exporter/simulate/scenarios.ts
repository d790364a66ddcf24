import { createHash } from 'node:crypto';
import type { Role } from '../model/dvm-event.js';
import type { NostrEvent } from '../model/nostr-event.js';
import { STYLES } from './answers.js';
import { encodeInvoice } from './bolt11.js';
import * as content from './content.js';
import { eventItem, type SimulatedItem } from './item.js';
import { dvmKey, type SimulationKeys, simDvm, simulationKeys } from './keys.js';
import { Rng } from './rng.js';
import {
  BARE,
  cancellationTemplate,
  type FeedbackParts,
  feedbackTemplate,
  type RequestParts,
  requestTemplate,
  resultTemplate,
  zapReceiptTemplate,
  zapRequestTemplate,
} from './shapes.js';
import { type EventTemplate, type SimKey, signEvent } from './signer.js';
import { DEFAULT_SIMULATION } from './simulate.js';

/**
 * Small, fixed stories for tests that assert exact outcomes (span trees, metric values): a handful of
 * valid signed events each, with fixed delays, starting at DEFAULT_SIMULATION.start.
 */
export const SCENARIO_NAMES = [
  'one-dvm',
  'multi-dvm',
  'three-step-chain',
  'branching-chain',
  'result-before-request',
  'payment-then-success',
  'error',
  'expired',
  'cancelled',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export function scenarioEvents(name: ScenarioName, seed = 1): SimulatedItem[] {
  const story = new Story(seed, name);
  STORIES[name](story);
  return story.items();
}

/** Writes one scenario: offsets are seconds after the scenario's start. */
class Story {
  readonly keys: SimulationKeys;
  readonly rng: Rng;
  readonly t0 = DEFAULT_SIMULATION.start;
  readonly customer: SimKey;
  private readonly out: SimulatedItem[] = [];

  constructor(seed: number, name: string) {
    this.keys = simulationKeys(seed);
    this.rng = new Rng(`dvm-exporter/simulate/scenario/${name}/${seed}`);
    this.customer = this.keys.customers[0]!;
  }

  items(): SimulatedItem[] {
    // Stable sort: events of the same second keep their causal order.
    return [...this.out].sort((a, b) => a.at - b.at);
  }

  private add(
    template: EventTemplate,
    key: SimKey,
    role: Role,
    note: string,
    deliverAfter?: number,
  ): NostrEvent {
    const event = signEvent(template, key);
    this.out.push(
      eventItem(event, role, note, deliverAfter === undefined ? event.created_at : this.t0 + deliverAfter),
    );
    return event;
  }

  request(
    kind: number,
    offset: number,
    parts: Omit<RequestParts, 'kind' | 'createdAt'>,
    deliverAfter?: number,
  ): NostrEvent {
    const template = requestTemplate({
      kind,
      createdAt: this.t0 + offset,
      relays: content.SIM_RELAYS.slice(0, 2),
      ...parts,
    });
    return this.add(template, this.customer, 'request', 'request', deliverAfter);
  }

  feedback(
    dvm: string,
    request: NostrEvent,
    offset: number,
    status: string,
    extra: Partial<FeedbackParts> = {},
  ): NostrEvent {
    const template = feedbackTemplate({
      request,
      createdAt: this.t0 + offset,
      style: STYLES[dvm] ?? BARE,
      status,
      ...extra,
    });
    return this.add(template, dvmKey(dvm), 'feedback', `feedback.${status}`);
  }

  result(dvm: string, request: NostrEvent, offset: number, body: string): NostrEvent {
    const template = resultTemplate({
      request,
      createdAt: this.t0 + offset,
      style: STYLES[dvm] ?? BARE,
      content: body,
    });
    return this.add(template, dvmKey(dvm), 'result', 'result');
  }

  cancel(request: NostrEvent, offset: number): NostrEvent {
    return this.add(
      cancellationTemplate(request, this.t0 + offset, 'changed my mind'),
      this.customer,
      'cancellation',
      'cancellation',
    );
  }

  zap(target: NostrEvent, msat: number, offset: number): NostrEvent {
    const time = this.t0 + offset;
    const zapRequest = signEvent(
      zapRequestTemplate(target, msat, content.SIM_RELAYS.slice(0, 2), time),
      this.customer,
    );
    const json = JSON.stringify(zapRequest);
    const bolt11 = encodeInvoice({
      amountMsat: msat,
      timestamp: time,
      paymentHash: this.rng.bytes(32),
      paymentSecret: this.rng.bytes(32),
      descriptionHash: new Uint8Array(Buffer.from(sha256Hex(json), 'hex')),
      expirySeconds: 3600,
      signature: this.rng.bytes(65),
    });
    const receipt = zapReceiptTemplate(zapRequest, target, bolt11, this.rng.hex(32), time);
    return this.add(receipt, this.keys.zapper, 'zap_receipt', 'zap_receipt.result');
  }

  invoice(msat: number, offset: number): string {
    return encodeInvoice({
      amountMsat: msat,
      timestamp: this.t0 + offset,
      paymentHash: this.rng.bytes(32),
      paymentSecret: this.rng.bytes(32),
      description: 'Babel translation',
      expirySeconds: 600,
      signature: this.rng.bytes(65),
    });
  }
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function target(name: string): { targets: string[] } {
  return { targets: [simDvm(name).pubkey] };
}

const STORIES: Readonly<Record<ScenarioName, (story: Story) => void>> = {
  'one-dvm': (s) => {
    const request = s.request(5300, 0, target('Feedwise'));
    s.feedback('Feedwise', request, 1, 'processing');
    s.result('Feedwise', request, 4, content.feedContent(s.rng));
  },
  'multi-dvm': (s) => {
    const request = s.request(5300, 0, {});
    s.feedback('Feedwise', request, 1, 'processing');
    s.feedback('Lighthouse', request, 2, 'processing');
    s.result('Feedwise', request, 3, content.feedContent(s.rng));
    s.result('Lighthouse', request, 6, content.feedContent(s.rng));
  },
  'three-step-chain': (s) => {
    const audio = s.request(5000, 0, {
      inputs: [['i', 'https://blossom.primal.net/talk.mp3', 'url']],
      ...target('Babel'),
    });
    const translate = s.request(5002, 1, {
      inputs: [['i', audio.id, 'job']],
      params: [['language', 'es']],
      ...target('Babel'),
    });
    const summarize = s.request(5001, 2, { inputs: [['i', translate.id, 'job']], ...target('Babel') });
    s.feedback('Babel', audio, 2, 'processing');
    s.feedback('Babel', translate, 3, 'chain-scheduled');
    s.feedback('Babel', summarize, 4, 'chain-scheduled');
    s.result('Babel', audio, 10, 'Welcome to the talk about data vending machines.');
    s.feedback('Babel', translate, 11, 'processing');
    s.result('Babel', translate, 15, 'Bienvenidos a la charla sobre máquinas expendedoras de datos.');
    s.feedback('Babel', summarize, 16, 'processing');
    s.result('Babel', summarize, 20, 'Una charla sobre DVMs.');
  },
  'branching-chain': (s) => {
    const subject = s.request(5100, 0, { inputs: [['i', 'a red fox', 'text']], ...target('Pixelsmith') });
    const backdrop = s.request(5100, 1, {
      inputs: [['i', 'a snowy forest', 'text']],
      ...target('Pixelsmith'),
    });
    const cutout = s.request(5101, 2, { inputs: [['i', subject.id, 'job']], ...target('Pixelsmith') });
    const overlay = s.request(5102, 3, {
      inputs: [
        ['i', cutout.id, 'job'],
        ['i', backdrop.id, 'job', content.SIM_RELAYS[0]!, 'background'],
      ],
      ...target('Pixelsmith'),
    });
    s.result('Pixelsmith', subject, 8, 'https://image.nostr.build/fox.png');
    s.result('Pixelsmith', backdrop, 9, 'https://image.nostr.build/forest.png');
    s.result('Pixelsmith', cutout, 14, 'https://image.nostr.build/fox-cutout.png');
    s.result('Pixelsmith', overlay, 20, 'https://image.nostr.build/fox-in-forest.png');
  },
  'result-before-request': (s) => {
    // Created first, delivered last: the request reaches the exporter 10 s after its answers.
    const request = s.request(5300, 0, target('Feedwise'), 10);
    s.feedback('Feedwise', request, 1, 'processing');
    s.result('Feedwise', request, 3, content.feedContent(s.rng));
  },
  'payment-then-success': (s) => {
    const request = s.request(5002, 0, {
      inputs: [['i', 'Good morning', 'text']],
      params: [['language', 'de']],
      ...target('Babel'),
    });
    s.feedback('Babel', request, 2, 'payment-required', {
      content: 'Please pay 21 sats to continue',
      amount: ['21000', s.invoice(21_000, 2)],
    });
    s.feedback('Babel', request, 20, 'processing');
    const result = s.result('Babel', request, 30, 'Guten Morgen');
    s.feedback('Babel', request, 30, 'success');
    s.zap(result, 5_000, 40);
  },
  error: (s) => {
    const request = s.request(5002, 0, {
      inputs: [['i', 'Hello', 'text']],
      params: [['language', 'xx']],
      ...target('Stumble'),
    });
    s.feedback('Stumble', request, 1, 'processing');
    s.feedback('Stumble', request, 5, 'error', {
      statusText: 'unsupported language pair',
      content: 'unsupported language pair',
    });
  },
  expired: (s) => {
    // Accepted, then nothing: the job runs out its lifetime unanswered.
    const request = s.request(5050, 0, {
      inputs: [['i', 'Write a haiku about relays.', 'text']],
      ...target('Lighthouse'),
    });
    s.feedback('Lighthouse', request, 2, 'processing');
  },
  cancelled: (s) => {
    const request = s.request(5100, 0, {
      inputs: [['i', 'a glacier at sunrise', 'text']],
      ...target('Glacier'),
    });
    s.feedback('Glacier', request, 10, 'processing');
    s.cancel(request, 60);
  },
};
