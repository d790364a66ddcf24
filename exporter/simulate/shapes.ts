import type { NostrEvent } from '../model/nostr-event.js';
import type { EventTemplate } from './signer.js';

/**
 * Event shapes as real clients and DVMs write them (protocol.md §3). Pure functions from parts to
 * unsigned templates; who signs and when is decided elsewhere.
 */

type Tag = string[];

/** How a DVM framework writes its responses. */
export interface ResponseStyle {
  /** `plain`: ["e", id]; `ndk`: ["e", id, relay, "job"]. */
  readonly eTag: 'plain' | 'ndk';
  /** nostrdvm: NIP-40 expiration = created_at + 600 on every feedback and result. */
  readonly expiration: boolean;
  /** nostrdvm: the request, stringified, in a `request` tag of the result. */
  readonly requestTag: boolean;
  /** nostrdvm: `alt`, `status` and `relays` on results. */
  readonly nostrdvmExtras: boolean;
}

export const NOSTRDVM: ResponseStyle = {
  eTag: 'plain',
  expiration: true,
  requestTag: true,
  nostrdvmExtras: true,
};
export const NDK: ResponseStyle = {
  eTag: 'ndk',
  expiration: false,
  requestTag: false,
  nostrdvmExtras: false,
};
export const BARE: ResponseStyle = {
  eTag: 'plain',
  expiration: false,
  requestTag: false,
  nostrdvmExtras: false,
};

export const RESULT_EXPIRATION_SECONDS = 600;
export const HEARTBEAT_EXPIRATION_SECONDS = 300;

export interface RequestParts {
  readonly kind: number;
  readonly createdAt: number;
  /** Full `i` tags: ["i", data, type?, relay?, marker?]. */
  readonly inputs?: readonly Tag[];
  /** ["param", name, value...] without the leading "param". */
  readonly params?: readonly Tag[];
  readonly output?: string;
  readonly bidMsat?: number;
  readonly relays?: readonly string[];
  readonly targets?: readonly string[];
  /** Content of an encrypted request: inputs and params are inside it, not in the tags. */
  readonly encryptedContent?: string;
  readonly alt?: string;
  readonly content?: string;
}

export function requestTemplate(parts: RequestParts): EventTemplate {
  const tags: Tag[] = [];
  if (parts.encryptedContent === undefined) {
    for (const input of parts.inputs ?? []) tags.push([...input]);
    for (const param of parts.params ?? []) tags.push(['param', ...param]);
  }
  if (parts.output) tags.push(['output', parts.output]);
  if (parts.bidMsat !== undefined) tags.push(['bid', String(parts.bidMsat)]);
  if (parts.relays && parts.relays.length > 0) tags.push(['relays', ...parts.relays]);
  for (const target of parts.targets ?? []) tags.push(['p', target]);
  if (parts.encryptedContent !== undefined) tags.push(['encrypted']);
  if (parts.alt) tags.push(['alt', parts.alt]);
  return {
    kind: parts.kind,
    created_at: parts.createdAt,
    tags,
    content: parts.encryptedContent ?? parts.content ?? '',
  };
}

function eTag(request: NostrEvent, style: ResponseStyle, relayHint: string): Tag {
  return style.eTag === 'ndk' ? ['e', request.id, relayHint, 'job'] : ['e', request.id];
}

export interface FeedbackParts {
  readonly request: NostrEvent;
  readonly createdAt: number;
  readonly style: ResponseStyle;
  /** Omitted for encrypted feedback (nostrdvm keeps no cleartext status then). */
  readonly status?: string;
  readonly statusText?: string;
  readonly content?: string;
  /** ["amount", msat, bolt11?]: msat as written (it may be malformed on purpose). */
  readonly amount?: readonly [string] | readonly [string, string];
  readonly encrypted?: boolean;
  readonly relayHint?: string;
}

export function feedbackTemplate(parts: FeedbackParts): EventTemplate {
  const tags: Tag[] = [];
  if (parts.status !== undefined) {
    tags.push(
      parts.statusText === undefined ? ['status', parts.status] : ['status', parts.status, parts.statusText],
    );
  }
  if (parts.amount) tags.push(['amount', ...parts.amount]);
  tags.push(eTag(parts.request, parts.style, parts.relayHint ?? ''));
  tags.push(['p', parts.request.pubkey]);
  if (parts.encrypted) tags.push(['encrypted']);
  if (parts.style.expiration) tags.push(['expiration', String(parts.createdAt + RESULT_EXPIRATION_SECONDS)]);
  return { kind: 7000, created_at: parts.createdAt, tags, content: parts.content ?? '' };
}

export interface ResultParts {
  readonly request: NostrEvent;
  readonly createdAt: number;
  readonly style: ResponseStyle;
  readonly content: string;
  readonly encrypted?: boolean;
  /** A result that forgot its `e` tag: it cannot be linked to its request. */
  readonly omitE?: boolean;
  readonly relayHint?: string;
}

export function resultTemplate(parts: ResultParts): EventTemplate {
  const { request, style } = parts;
  const tags: Tag[] = [];
  if (style.requestTag && !parts.encrypted) tags.push(['request', JSON.stringify(request)]);
  if (!parts.omitE) tags.push(eTag(request, style, parts.relayHint ?? ''));
  tags.push(['p', request.pubkey]);
  if (parts.encrypted) {
    tags.push(['encrypted']);
  } else if (style !== BARE) {
    for (const tag of request.tags) if (tag[0] === 'i') tags.push([...tag]);
  }
  if (style.nostrdvmExtras) {
    tags.push(['alt', `This is the result of a NIP90 DVM task with kind ${request.kind}`]);
    tags.push(['status', 'success']);
    const relays = request.tags.find((tag) => tag[0] === 'relays');
    if (relays) tags.push([...relays]);
  }
  if (style.expiration) tags.push(['expiration', String(parts.createdAt + RESULT_EXPIRATION_SECONDS)]);
  return { kind: request.kind + 1000, created_at: parts.createdAt, tags, content: parts.content };
}

/** NIP-09 deletion of a job request: the cancellation (valid only from the request's author). */
export function cancellationTemplate(request: NostrEvent, createdAt: number, reason: string): EventTemplate {
  return {
    kind: 5,
    created_at: createdAt,
    tags: [
      ['e', request.id],
      ['k', String(request.kind)],
    ],
    content: reason,
  };
}

export interface AnnouncementParts {
  readonly d: string;
  readonly kinds: readonly number[];
  readonly createdAt: number;
  readonly profile: Readonly<Record<string, unknown>>;
}

export function announcementTemplate(parts: AnnouncementParts): EventTemplate {
  const tags: Tag[] = [['d', parts.d]];
  for (const kind of parts.kinds) tags.push(['k', String(kind)]);
  tags.push(['web', 'https://dvm.example/job/<bech32>', 'nevent']);
  return { kind: 31990, created_at: parts.createdAt, tags, content: JSON.stringify(parts.profile) };
}

export function recommendationTemplate(
  kind: number,
  handlers: readonly string[],
  createdAt: number,
  relay: string,
): EventTemplate {
  const tags: Tag[] = [['d', String(kind)]];
  for (const handler of handlers) tags.push(['a', handler, relay, 'web']);
  return { kind: 31989, created_at: createdAt, tags, content: '' };
}

export function heartbeatTemplate(
  d: string,
  createdAt: number,
  status: string,
  expiration = true,
): EventTemplate {
  const tags: Tag[] = [
    ['d', d],
    ['status', status],
  ];
  if (expiration) tags.push(['expiration', String(createdAt + HEARTBEAT_EXPIRATION_SECONDS)]);
  return { kind: 11998, created_at: createdAt, tags, content: status };
}

/** NIP-57 zap request (9734): signed by the payer, embedded in the receipt's `description`. */
export function zapRequestTemplate(
  target: NostrEvent,
  amountMsat: number,
  relays: readonly string[],
  createdAt: number,
): EventTemplate {
  return {
    kind: 9734,
    created_at: createdAt,
    tags: [
      ['relays', ...relays],
      ['amount', String(amountMsat)],
      ['p', target.pubkey],
      ['e', target.id],
    ],
    content: 'thanks!',
  };
}

/** NIP-57 zap receipt (9735), signed by the recipient's LNURL server. */
export function zapReceiptTemplate(
  zapRequest: NostrEvent,
  target: NostrEvent,
  bolt11: string,
  preimage: string,
  createdAt: number,
): EventTemplate {
  return {
    kind: 9735,
    created_at: createdAt,
    tags: [
      ['p', target.pubkey],
      ['P', zapRequest.pubkey],
      ['e', target.id],
      ['bolt11', bolt11],
      ['description', JSON.stringify(zapRequest)],
      ['preimage', preimage],
    ],
    content: '',
  };
}
