import type { NostrEvent } from '../model/nostr-event.js';
import { type Answer, answerJob, type JobContext } from './answers.js';
import * as content from './content.js';
import { simDvm } from './keys.js';
import { cancellationTemplate, type RequestParts, requestTemplate } from './shapes.js';
import type { SimKey } from './signer.js';
import type { World } from './world.js';

/**
 * What customers do: one arrival of the Poisson process becomes one of these scenarios, each a request
 * (or a chain of them) plus everything the DVMs answer.
 */
export type JobScenario = (world: World, time: number) => void;

type Parts = Omit<RequestParts, 'kind' | 'createdAt'>;

interface Sent {
  readonly request: NostrEvent;
  readonly customer: SimKey;
}

/** Signs and schedules a request; a small share reaches the exporter late, after its first answers. */
function sendRequest(
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

function answer(world: World, dvmName: string, sent: Sent, extra: Partial<JobContext> = {}): Answer {
  return answerJob(world, simDvm(dvmName), {
    request: sent.request,
    customer: sent.customer,
    readyAt: sent.request.created_at,
    chained: false,
    encrypted: false,
    ...extra,
  });
}

function pubkey(name: string): string {
  return simDvm(name).pubkey;
}

const discovery: JobScenario = (world, time) => {
  const rng = world.rng;
  const target = rng.weighted<string | null>([
    [35, 'Feedwise'],
    [35, 'Lighthouse'],
    [30, null],
  ]);
  const parts: Parts = {
    relays: content.relaySubset(rng),
    targets: target ? [pubkey(target)] : [],
    alt: 'This is a NIP90 DVM AI task to find content',
    params: rng.chance(0.12) ? [['max_results', String(rng.int(50, 200))]] : [],
  };
  const sent = sendRequest(
    world,
    world.customer(),
    5300,
    time,
    parts,
    target ? 'request.targeted' : 'request',
  );
  // `p` is a preference: untargeted jobs draw answers from every DVM that serves the kind.
  for (const name of target ? [target] : ['Feedwise', 'Lighthouse']) answer(world, name, sent);
  if (rng.chance(0.02)) forgeCancellation(world, sent);
};

const translation: JobScenario = (world, time) => {
  const rng = world.rng;
  const target = rng.weighted<string | null>([
    [25, 'Babel'],
    [25, 'Stumble'],
    [50, null],
  ]);
  const parts: Parts = {
    inputs: [['i', content.text(rng), 'text']],
    params: [['language', content.language(rng)]],
    output: 'text/plain',
    bidMsat: rng.chance(0.3) ? rng.int(10, 500) * 1000 : undefined,
    relays: content.relaySubset(rng),
    targets: target ? [pubkey(target)] : [],
  };
  const sent = sendRequest(
    world,
    world.customer(),
    5002,
    time,
    parts,
    target ? 'request.targeted' : 'request',
  );
  for (const name of target ? [target] : ['Babel', 'Stumble']) answer(world, name, sent);
};

const summarization: JobScenario = (world, time) => {
  const rng = world.rng;
  const input = rng.chance(0.5)
    ? ['i', rng.hex(32), 'event', content.SIM_RELAYS[1]!]
    : ['i', content.mediaUrl(rng, 'html'), 'url'];
  const sent = sendRequest(
    world,
    world.customer(),
    5001,
    time,
    { inputs: [input], output: 'text/plain', targets: [pubkey('Babel')] },
    'request.targeted',
  );
  answer(world, 'Babel', sent);
};

const textGeneration: JobScenario = (world, time) => {
  const rng = world.rng;
  const target = rng.weighted<string | null>([
    [40, 'Tollbooth'],
    [30, 'Lighthouse'],
    [30, null],
  ]);
  const parts: Parts = {
    inputs: [['i', content.question(rng), rng.chance(0.3) ? 'prompt' : 'text']],
    params: [
      ['model', content.model(rng)],
      ['max_tokens', String(rng.pick([256, 512, 1024]))],
      ['temperature', String(rng.pick([0.2, 0.7, 1]))],
    ],
    relays: content.relaySubset(rng),
    targets: target ? [pubkey(target)] : [],
  };
  const sent = sendRequest(
    world,
    world.customer(),
    5050,
    time,
    parts,
    target ? 'request.targeted' : 'request',
  );
  for (const name of target ? [target] : ['Tollbooth', 'Lighthouse']) answer(world, name, sent);
};

const encrypted: JobScenario = (world, time) => {
  const rng = world.rng;
  const nip04 = rng.chance(0.6);
  const payload = nip04 ? content.nip04Payload(rng, 120) : content.nip44Payload(rng, 120);
  const kind = rng.pick([5000, 5002]);
  const sent = sendRequest(
    world,
    world.customer(),
    kind,
    time,
    { encryptedContent: payload, targets: [pubkey('Babel')], relays: content.relaySubset(rng) },
    nip04 ? 'request.encrypted.nip04' : 'request.encrypted.nip44',
  );
  answer(world, 'Babel', sent, { encrypted: true });
};

const image: JobScenario = (world, time) => {
  const rng = world.rng;
  const target = rng.chance(0.6) ? 'Glacier' : 'Pixelsmith';
  const parts: Parts = {
    inputs: [['i', content.prompt(rng), 'text']],
    params: [['size', rng.pick(['512x512', '1024x1024'])]],
    output: 'image/png',
    bidMsat: rng.chance(0.5) ? rng.int(100, 2000) * 1000 : undefined,
    targets: [pubkey(target)],
  };
  answer(world, target, sendRequest(world, world.customer(), 5100, time, parts, 'request.targeted'));
};

const reputation: JobScenario = (world, time) => {
  const rng = world.rng;
  const kind = rng.chance(0.7) ? 5312 : 5314;
  // Vertex requests carry only `param` tags, never `i`.
  const params =
    kind === 5312
      ? [['target', rng.hex(32)]]
      : [
          ['target', rng.hex(32)],
          ['target', rng.hex(32)],
        ];
  const sent = sendRequest(
    world,
    world.customer(),
    kind,
    time,
    { params: [...params, ['sort', 'globalPagerank']], targets: [pubkey('Trustgraph')] },
    'request.targeted',
  );
  answer(world, 'Trustgraph', sent);
};

const speech: JobScenario = (world, time) => {
  const rng = world.rng;
  const target = rng.chance(0.5) ? 'Stumble' : 'Babel';
  const parts: Parts = {
    inputs: [['i', content.mediaUrl(rng, 'mp3'), 'url']],
    params: [
      ['range', '0', String(rng.int(30, 600))],
      ['alignment', 'segment'],
    ],
    output: 'text/plain',
    targets: [pubkey(target)],
  };
  answer(world, target, sendRequest(world, world.customer(), 5000, time, parts, 'request.targeted'));
};

/** Speech to text, then a translation of it, then a summary of that: three steps, each built on the last. */
const threeStepChain: JobScenario = (world, time) => {
  const rng = world.rng;
  const customer = world.customer();
  const babel = [pubkey('Babel')];
  const first = sendRequest(
    world,
    customer,
    5000,
    time,
    { inputs: [['i', content.mediaUrl(rng, 'mp3'), 'url']], output: 'text/plain', targets: babel },
    'request.chain.root',
  );
  const firstAnswer = answer(world, 'Babel', first);
  const second = sendRequest(
    world,
    customer,
    5002,
    time + 1,
    {
      inputs: [['i', first.request.id, 'job']],
      params: [['language', content.language(rng)]],
      targets: babel,
    },
    'request.chain.step',
  );
  if (!firstAnswer.result) return;
  const secondAnswer = answer(world, 'Babel', second, {
    chained: true,
    readyAt: firstAnswer.result.created_at,
  });
  const third = sendRequest(
    world,
    customer,
    5001,
    time + 2,
    { inputs: [['i', second.request.id, 'job']], targets: babel },
    'request.chain.step',
  );
  if (!secondAnswer.result) return;
  answer(world, 'Babel', third, { chained: true, readyAt: secondAnswer.result.created_at });
};

/**
 * Two generated images; the background is removed from the first; the overlay step takes two job
 * inputs (the cut-out and the second image, marked `background`): a DAG, not a line.
 */
const branchingChain: JobScenario = (world, time) => {
  const rng = world.rng;
  const customer = world.customer();
  const pixel = [pubkey('Pixelsmith')];
  const imageParts = (): Parts => ({
    inputs: [['i', content.prompt(rng), 'text']],
    output: 'image/png',
    targets: pixel,
  });
  const subject = sendRequest(world, customer, 5100, time, imageParts(), 'request.chain.root');
  const backdrop = sendRequest(world, customer, 5100, time + 1, imageParts(), 'request.chain.root');
  const subjectAnswer = answer(world, 'Pixelsmith', subject);
  const backdropAnswer = answer(world, 'Pixelsmith', backdrop);
  const cutout = sendRequest(
    world,
    customer,
    5101,
    time + 2,
    { inputs: [['i', subject.request.id, 'job']], output: 'image/png', targets: pixel },
    'request.chain.step',
  );
  const overlay = sendRequest(
    world,
    customer,
    5102,
    time + 3,
    {
      inputs: [
        ['i', cutout.request.id, 'job'],
        ['i', backdrop.request.id, 'job', content.SIM_RELAYS[0]!, 'background'],
      ],
      output: 'image/png',
      targets: pixel,
    },
    'request.chain.branch',
  );
  if (!subjectAnswer.result) return;
  const cutoutAnswer = answer(world, 'Pixelsmith', cutout, {
    chained: true,
    readyAt: subjectAnswer.result.created_at,
  });
  if (!cutoutAnswer.result || !backdropAnswer.result) return;
  const readyAt = Math.max(cutoutAnswer.result.created_at, backdropAnswer.result.created_at);
  answer(world, 'Pixelsmith', overlay, { chained: true, readyAt });
};

/** A customer gives up on a slow job and deletes the request (NIP-09); the DVM stops. */
const cancelled: JobScenario = (world, time) => {
  const rng = world.rng;
  const customer = world.customer();
  const sent = sendRequest(
    world,
    customer,
    5100,
    time,
    { inputs: [['i', content.prompt(rng), 'text']], output: 'image/png', targets: [pubkey('Glacier')] },
    'request.targeted',
  );
  const cancelAt = time + rng.int(30, 110);
  world.emit(
    cancellationTemplate(sent.request, cancelAt, 'changed my mind'),
    customer,
    'cancellation',
    'cancellation',
  );
  answer(world, 'Glacier', sent, { cancelAt });
};

/** Someone else "cancels" a job: a kind 5 from a key that is not the author's, which must not count. */
function forgeCancellation(world: World, sent: Sent): void {
  const forger = world.rng.pick(world.keys.customers.filter((key) => key.pubkey !== sent.customer.pubkey));
  const at = sent.request.created_at + world.rng.int(1, 4);
  world.emit(cancellationTemplate(sent.request, at, 'cancel'), forger, 'cancellation', 'cancellation.forged');
}

/** Relative frequencies; 5300 dominates as it does on the real network (with less of a landslide). */
export const JOB_SCENARIOS: readonly (readonly [number, JobScenario])[] = [
  [40, discovery],
  [12, translation],
  [4, summarization],
  [8, textGeneration],
  [7, encrypted],
  [6, image],
  [5, reputation],
  [3, speech],
  [3, threeStepChain],
  [2, branchingChain],
  [3, cancelled],
];

export const scenarioParts = { sendRequest, answer, forgeCancellation };
