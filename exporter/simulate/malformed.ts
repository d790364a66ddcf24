import type { NostrEvent } from '../model/nostr-event.js';
import type { RejectReason } from '../model/reasons.js';
import { SIM_RELAYS } from './content.js';
import type { SimulatedItem } from './item.js';
import { dvmKey, type SimulationKeys, simDvm } from './keys.js';
import type { Rng } from './rng.js';
import { type EventTemplate, eventId, type SimKey, signEvent } from './signer.js';

/**
 * Bad input that real relays deliver: edited or forged events, broken shapes and JSON, kinds inside
 * the job ranges that are not jobs. Each is built fresh (never a mutated copy of a valid event, whose
 * id an exporter may already have seen) so its expected rejection is unambiguous.
 */
export class Noise {
  constructor(
    private readonly rng: Rng,
    private readonly keys: SimulationKeys,
  ) {}

  private readonly variants: readonly (readonly [number, (time: number) => SimulatedItem])[] = [
    [16, (time) => this.badId(time)],
    [12, (time) => this.badSig(time)],
    [10, (time) => this.impersonation(time)],
    [14, (time) => this.badShape(time)],
    [10, (time) => this.badJson(time)],
    [14, (time) => this.excludedKind(time)],
    [14, (time) => this.junkJobKind(time)],
    [10, (time) => this.notDvm(time)],
  ];

  malformed(time: number): SimulatedItem {
    return this.rng.weighted(this.variants)(time);
  }

  /** Whether to follow an item with a malformed one, so that about `share` of all items are malformed. */
  rollMalformed(share: number): boolean {
    return share > 0 && this.rng.chance(share / (1 - Math.min(share, 0.99)));
  }

  rollDuplicate(share: number): number | null {
    return share > 0 && this.rng.chance(share) ? this.rng.int(0, 3) : null;
  }

  private customer(): SimKey {
    return this.rng.pick(this.keys.customers);
  }

  private plausibleRequest(time: number): EventTemplate {
    return {
      kind: 5300,
      created_at: time,
      tags: [
        ['relays', ...SIM_RELAYS.slice(0, 2)],
        ['p', simDvm('Feedwise').pubkey],
      ],
      content: '',
    };
  }

  /** Edited after signing: the signature is still valid over the claimed id, which no longer matches. */
  private badId(time: number): SimulatedItem {
    const signed = signEvent(this.plausibleRequest(time), this.customer());
    return rejected({ ...signed, content: 'edited after signing' }, 'bad_id', 'malformed.bad_id', time);
  }

  private badSig(time: number): SimulatedItem {
    const signed = signEvent(this.plausibleRequest(time), this.customer());
    const flipAt = this.rng.int(0, 127);
    const old = signed.sig[flipAt]!;
    const sig = `${signed.sig.slice(0, flipAt)}${old === '0' ? '1' : '0'}${signed.sig.slice(flipAt + 1)}`;
    return rejected({ ...signed, sig }, 'bad_sig', 'malformed.bad_sig', time);
  }

  /** A result claiming to come from a healthy DVM, signed by someone else. */
  private impersonation(time: number): SimulatedItem {
    const victim = dvmKey('Feedwise');
    const template: EventTemplate = {
      kind: 6300,
      created_at: time,
      tags: [
        ['e', this.rng.hex(32)],
        ['p', this.customer().pubkey],
      ],
      content: '[]',
    };
    const bySpammer = signEvent(template, this.keys.spammer);
    const claimed = { ...bySpammer, pubkey: victim.pubkey };
    const forged: NostrEvent = { ...claimed, id: eventId(claimed) };
    return rejected(forged, 'bad_sig', 'forged.impersonation', time);
  }

  private badShape(time: number): SimulatedItem {
    const signed = signEvent(this.plausibleRequest(time), this.customer());
    const shapes: readonly (() => unknown)[] = [
      () => ({ ...signed, sig: undefined }),
      () => ({ ...signed, pubkey: signed.pubkey.slice(0, 62) }),
      () => ({ ...signed, kind: String(signed.kind) }),
      () => ({ ...signed, created_at: signed.created_at + 0.5 }),
      () => ({ ...signed, tags: { p: signed.pubkey } }),
      () => ({ ...signed, content: null }),
    ];
    const value = this.rng.pick(shapes)();
    return {
      at: time,
      event: value,
      line: JSON.stringify(value),
      expect: rejectedAs('bad_shape'),
      note: 'malformed.bad_shape',
    };
  }

  private badJson(time: number): SimulatedItem {
    const signed = signEvent(this.plausibleRequest(time), this.customer());
    const whole = JSON.stringify(signed);
    const line = this.rng.chance(0.7)
      ? whole.slice(0, this.rng.int(10, whole.length - 5))
      : 'HTTP/1.1 502 Bad Gateway';
    return { at: time, event: line, line, expect: rejectedAs('bad_json'), note: 'malformed.bad_json' };
  }

  /** Kinds inside the job ranges that are known not to be jobs (polls, unrelated apps). */
  private excludedKind(time: number): SimulatedItem {
    const kind = this.rng.pick([5666, 6969, 5969]);
    const template: EventTemplate = {
      kind,
      created_at: time,
      tags: [
        ['p', this.customer().pubkey],
        ['t', 'poll'],
      ],
      content: kind === 6969 ? 'Which relay is fastest?' : 'app traffic',
    };
    return rejected(signEvent(template, this.keys.spammer), 'excluded_kind', `excluded.${kind}`, time);
  }

  /** Unknown kinds in the request range with no job-like tags: base64 blobs, climbing logs... */
  private junkJobKind(time: number): SimulatedItem {
    const kind = this.rng.pick([5391, 5555, 5663]);
    const template: EventTemplate = {
      kind,
      created_at: time,
      tags: [],
      content: Buffer.from(this.rng.bytes(48)).toString('base64'),
    };
    return rejected(signEvent(template, this.keys.spammer), 'not_job_like', 'junk.job-kind', time);
  }

  /** A 31990 app handler with no job kind (not a DVM), or a plain note. */
  private notDvm(time: number): SimulatedItem {
    const template: EventTemplate = this.rng.chance(0.5)
      ? {
          kind: 31990,
          created_at: time,
          tags: [
            ['d', this.rng.hex(8)],
            ['k', '1'],
            ['k', '30023'],
            ['web', 'https://reader.example/a/<bech32>', 'naddr'],
          ],
          content: JSON.stringify({ name: 'Long-form reader', picture: 'https://reader.example/icon.png' }),
        }
      : { kind: 1, created_at: time, tags: [], content: 'gm' };
    return rejected(signEvent(template, this.keys.spammer), 'not_dvm', 'not-dvm', time);
  }
}

function rejectedAs(reason: RejectReason): SimulatedItem['expect'] {
  return { outcome: 'rejected', reason };
}

function rejected(event: NostrEvent, reason: RejectReason, note: string, time: number): SimulatedItem {
  return { at: time, event, line: JSON.stringify(event), expect: rejectedAs(reason), note };
}

export function duplicateOf(item: SimulatedItem, at: number): SimulatedItem {
  return {
    at,
    event: item.event,
    line: item.line,
    expect: { outcome: 'duplicate' },
    note: `duplicate.${item.note}`,
  };
}
