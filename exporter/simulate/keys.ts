import { createHash } from 'node:crypto';
import { deriveKey, keyFromSecret, type SimKey } from './signer.js';

/** How a simulated DVM behaves; tests use it to know which DVM should look healthy, down, unpaid... */
export type DvmBehaviour =
  /** Answers every job quickly, nostrdvm style (expiration tags, `request` tag, heartbeats). */
  | 'healthy'
  /** Asks for payment first (amount + bolt11), then delivers; NDK style `e` tags with the `job` marker. */
  | 'paid'
  /** Answers in minutes, with processing and partial feedback; stops when the job is cancelled. */
  | 'slow'
  /** Healthy until `downAt(options)`, then silent: no feedback, no results, no heartbeats. */
  | 'down'
  /** Asks for payment and never delivers. */
  | 'unpaid'
  /** Fails most jobs with `error` feedback. */
  | 'erroring'
  /** Vertex style: bare results (only `e` and `p`), terse errors. */
  | 'minimal';

export interface SimDvm {
  readonly name: string;
  readonly pubkey: string;
  readonly kinds: readonly number[];
  readonly behaviour: DvmBehaviour;
  /** Sends a kind 11998 heartbeat every 300 s (while up). */
  readonly heartbeats: boolean;
  /** Announces `supportsEncryption` and answers encrypted jobs. */
  readonly encryption: boolean;
  /** The NIP-89 `d` tag of its 31990 announcement. */
  readonly d: string;
  readonly picture: string;
  readonly about: string;
}

type DvmSpec = Omit<SimDvm, 'pubkey' | 'd'>;

const DVM_SPECS: readonly DvmSpec[] = [
  {
    name: 'Feedwise',
    kinds: [5300],
    behaviour: 'healthy',
    heartbeats: true,
    encryption: false,
    picture: 'https://image.nostr.build/feedwise.png',
    about: 'Curated content discovery feeds, refreshed every few minutes.',
  },
  {
    name: 'Babel',
    kinds: [5000, 5001, 5002],
    behaviour: 'paid',
    heartbeats: false,
    encryption: true,
    picture: 'https://image.nostr.build/babel.png',
    about: 'Speech to text, summaries and translations. Pay per job.',
  },
  {
    name: 'Glacier',
    kinds: [5100],
    behaviour: 'slow',
    heartbeats: true,
    encryption: false,
    picture: 'https://image.nostr.build/glacier.jpg',
    about: 'High quality image generation. Takes a few minutes.',
  },
  {
    name: 'Lighthouse',
    kinds: [5300, 5050],
    behaviour: 'down',
    heartbeats: true,
    encryption: false,
    picture: 'https://image.nostr.build/lighthouse.png',
    about: 'Feeds and a small language model on a home server.',
  },
  {
    name: 'Tollbooth',
    kinds: [5050],
    behaviour: 'unpaid',
    heartbeats: false,
    encryption: false,
    picture: 'https://image.nostr.build/tollbooth.png',
    about: 'GPT-class text generation. Payment up front.',
  },
  {
    name: 'Stumble',
    kinds: [5000, 5002],
    behaviour: 'erroring',
    heartbeats: false,
    encryption: false,
    picture: 'https://image.nostr.build/stumble.png',
    about: 'Experimental transcription and translation.',
  },
  {
    name: 'Trustgraph',
    kinds: [5312, 5314],
    behaviour: 'minimal',
    heartbeats: false,
    encryption: false,
    picture: 'https://image.nostr.build/trustgraph.png',
    about: 'Web-of-trust reputation and profile ranking.',
  },
  {
    name: 'Pixelsmith',
    kinds: [5100, 5101, 5102],
    behaviour: 'healthy',
    heartbeats: true,
    encryption: false,
    picture: 'https://image.nostr.build/pixelsmith.png',
    about: 'Fast image generation, background removal and overlays; chains welcome.',
  },
];

/** DVM keys do not depend on the seed: every simulation is the same market with different traffic. */
const DVM_KEYS: ReadonlyMap<string, SimKey> = new Map(
  DVM_SPECS.map((spec) => [spec.name, deriveKey(spec.name, `dvm-exporter/simulate/dvm/${spec.name}`)]),
);

function nip89d(name: string, picture: string, pubkey: string): string {
  // nostrdvm's d: sha256(name + image + pubkey), first 16 hex characters.
  return deriveDTag(`${name}${picture}${pubkey}`);
}

function deriveDTag(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export const SIM_DVMS: readonly SimDvm[] = Object.freeze(
  DVM_SPECS.map((spec) => {
    const pubkey = dvmKey(spec.name).pubkey;
    return Object.freeze({ ...spec, pubkey, d: nip89d(spec.name, spec.picture, pubkey) });
  }),
);

export function dvmKey(name: string): SimKey {
  const key = DVM_KEYS.get(name);
  if (!key) throw new RangeError(`no simulated DVM named ${name}`);
  return key;
}

export function simDvm(name: string): SimDvm {
  const dvm = SIM_DVMS.find((candidate) => candidate.name === name);
  if (!dvm) throw new RangeError(`no simulated DVM named ${name}`);
  return dvm;
}

export const CUSTOMER_COUNT = 12;

export interface SimulationKeys {
  readonly dvms: readonly (SimDvm & { readonly secretKey: Uint8Array })[];
  /** Customers sending jobs; their keys depend on the seed. */
  readonly customers: readonly SimKey[];
  /** The well-known test key (private key 1), a customer in real traffic too. */
  readonly testCustomer: SimKey;
  /** The LNURL server that signs zap receipts. */
  readonly zapper: SimKey;
  /** Author of junk, excluded kinds and forged events. */
  readonly spammer: SimKey;
}

export function simulationKeys(seed: number): SimulationKeys {
  const customers: SimKey[] = [];
  for (let i = 0; i < CUSTOMER_COUNT; i++) {
    customers.push(deriveKey(`customer-${i}`, `dvm-exporter/simulate/${seed}/customer-${i}`));
  }
  const one = new Uint8Array(32);
  one[31] = 1;
  return {
    dvms: SIM_DVMS.map((dvm) => ({ ...dvm, secretKey: dvmKey(dvm.name).secretKey })),
    customers,
    testCustomer: keyFromSecret('test-key', one),
    zapper: deriveKey('zapper', `dvm-exporter/simulate/${seed}/zapper`),
    spammer: deriveKey('spammer', `dvm-exporter/simulate/${seed}/spammer`),
  };
}
