import * as content from './content.js';
import { answer, forgeCancellation, type JobScenario, type Parts, pubkey, sendRequest } from './customer.js';
import { cancellationTemplate } from './shapes.js';

/** Single jobs, one per arrival: what most of the market is. */

export const discovery: JobScenario = (world, time) => {
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

export const translation: JobScenario = (world, time) => {
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

export const summarization: JobScenario = (world, time) => {
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

export const textGeneration: JobScenario = (world, time) => {
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

export const encrypted: JobScenario = (world, time) => {
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

export const image: JobScenario = (world, time) => {
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

export const reputation: JobScenario = (world, time) => {
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

export const speech: JobScenario = (world, time) => {
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

/** A customer gives up on a slow job and deletes the request (NIP-09); the DVM stops. */
export const cancelled: JobScenario = (world, time) => {
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
