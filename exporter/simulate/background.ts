import { SIM_RELAYS } from './content.js';
import { dvmKey, SIM_DVMS, type SimDvm } from './keys.js';
import { announcementTemplate, heartbeatTemplate, recommendationTemplate } from './shapes.js';
import type { World } from './world.js';

/** Traffic that is not a job: NIP-89 announcements and recommendations, and heartbeats. */

export const HEARTBEAT_INTERVAL_SECONDS = 300;

export function announce(world: World, dvm: SimDvm, time: number): void {
  const profile: Record<string, unknown> = {
    name: dvm.name,
    picture: dvm.picture,
    about: dvm.about,
    lud16: `${dvm.name.toLowerCase()}@getalby.com`,
    supportsEncryption: dvm.encryption,
    acceptsNutZaps: false,
    personalized: false,
    amount: dvm.behaviour === 'paid' || dvm.behaviour === 'unpaid' ? 'flexible' : 'free',
    nip90Params: {},
  };
  const template = announcementTemplate({ d: dvm.d, kinds: dvm.kinds, createdAt: time, profile });
  world.emit(template, dvmKey(dvm.name), 'announcement', 'announcement');
}

/** Every DVM announces itself in the first half minute; a few customers recommend their favourites. */
export function scheduleStartup(world: World): void {
  SIM_DVMS.forEach((dvm, index) => {
    world.later(world.start + index * 3, () => announce(world, dvm, world.start + index * 3));
  });
  const picks: readonly [number, readonly string[]][] = [
    [5300, ['Feedwise', 'Lighthouse']],
    [5002, ['Babel']],
    [5100, ['Pixelsmith', 'Glacier']],
  ];
  picks.forEach(([kind, names], index) => {
    const time = world.start + 60 + index * 120;
    world.later(time, () => {
      const handlers = names.map((name) => {
        const dvm = SIM_DVMS.find((candidate) => candidate.name === name)!;
        return `31990:${dvm.pubkey}:${dvm.d}`;
      });
      const customer = world.keys.customers[index]!;
      world.emit(
        recommendationTemplate(kind, handlers, time, SIM_RELAYS[0]!),
        customer,
        'recommendation',
        'recommendation',
      );
    });
  });
  for (const dvm of SIM_DVMS) {
    if (!dvm.heartbeats) continue;
    const phase = world.rng.int(5, HEARTBEAT_INTERVAL_SECONDS - 1);
    scheduleHeartbeat(world, dvm, world.start + phase);
  }
}

/** One beat now and the next one scheduled: a recurring task keeps only one pending entry per DVM. */
function scheduleHeartbeat(world: World, dvm: SimDvm, time: number): void {
  world.later(time, () => {
    if (dvm.behaviour === 'down' && time >= world.downAt) return;
    const queue = world.rng.int(0, 4);
    world.emit(
      heartbeatTemplate(dvm.d, time, `online, ${queue} jobs queued`, world.expirationTags),
      dvmKey(dvm.name),
      'heartbeat',
      'heartbeat',
    );
    scheduleHeartbeat(world, dvm, time + HEARTBEAT_INTERVAL_SECONDS);
  });
}
