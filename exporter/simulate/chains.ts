import * as content from './content.js';
import { answer, type JobScenario, type Parts, pubkey, sendRequest } from './customer.js';

/** Speech to text, then a translation of it, then a summary of that: three steps, each built on the last. */
export const threeStepChain: JobScenario = (world, time) => {
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
export const branchingChain: JobScenario = (world, time) => {
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
