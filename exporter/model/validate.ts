import { isLowerHex64, isLowerHex128 } from './hex.js';
import type { NostrEvent } from './nostr-event.js';
import type { RejectReason } from './reasons.js';

/** Input limits that keep one hostile event from costing more than a normal one. */
export interface ShapeLimits {
  /** Largest accepted event, in UTF-8 bytes of its JSON. */
  readonly maxEventBytes: number;
  /** How far created_at may run ahead of the clock (skew allowance). */
  readonly maxFutureSeconds: number;
}

export const DEFAULT_SHAPE_LIMITS: ShapeLimits = Object.freeze({
  maxEventBytes: 131_072,
  maxFutureSeconds: 600,
});

export type ShapeResult =
  | { ok: true; event: NostrEvent }
  | { ok: false; reason: RejectReason; detail: string; id?: string };

const MAX_KIND = 65_535;

/**
 * Parses the JSON text of one bare event and checks its NIP-01 shape. The size is checked on the UTF-8
 * byte length before parsing, so an oversized line costs no parse.
 */
export function parseEventText(text: string, limits: ShapeLimits, now: number): ShapeResult {
  // Every UTF-16 unit is at least one UTF-8 byte: a string this long is too large without counting.
  const sizeBytes = text.length > limits.maxEventBytes ? text.length : Buffer.byteLength(text, 'utf8');
  if (sizeBytes > limits.maxEventBytes) return tooLarge(sizeBytes, limits);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: 'bad_json', detail: `not valid JSON: ${errorMessage(err)}` };
  }
  if (!isRecord(value))
    return { ok: false, reason: 'bad_json', detail: `expected a JSON object, got ${typeName(value)}` };
  try {
    // The value is this function's own parse: plain data, no getters, referenced nowhere else, so
    // its tags are checked where they are rather than copied.
    return readShape(value, limits, now, false);
  } catch (err) {
    return { ok: false, reason: 'bad_shape', detail: `unreadable event: ${errorMessage(err)}` };
  }
}

/**
 * Checks an already-parsed value (e.g. the event of a relay frame) against the NIP-01 shape and the limits.
 * Returns a new plain object holding only the seven NIP-01 fields. Never throws: an object whose fields
 * cannot even be read (a throwing getter, a revoked proxy) is `bad_shape`.
 */
export function checkEventShape(
  value: unknown,
  sizeBytes: number,
  limits: ShapeLimits,
  now: number,
): ShapeResult {
  if (sizeBytes > limits.maxEventBytes) return tooLarge(sizeBytes, limits);
  try {
    return readShape(value, limits, now);
  } catch (err) {
    return { ok: false, reason: 'bad_shape', detail: `unreadable event: ${errorMessage(err)}` };
  }
}

function readShape(value: unknown, limits: ShapeLimits, now: number, copy = true): ShapeResult {
  if (!isRecord(value)) return badShape(`expected an object, got ${typeName(value)}`);
  // Each field is read exactly once, so what is checked is what is kept.
  const id = own(value, 'id');
  const claimedId = isLowerHex64(id) ? id : undefined;
  const fail = (detail: string): ShapeResult => badShape(detail, claimedId);
  if (claimedId === undefined) return fail(`id: ${describeHex(id, 64)}`);
  const pubkey = own(value, 'pubkey');
  if (!isLowerHex64(pubkey)) return fail(`pubkey: ${describeHex(pubkey, 64)}`);
  const sig = own(value, 'sig');
  if (!isLowerHex128(sig)) return fail(`sig: ${describeHex(sig, 128)}`);
  const createdAt = own(value, 'created_at');
  if (typeof createdAt !== 'number' || !Number.isSafeInteger(createdAt) || createdAt < 0) {
    return fail(`created_at: expected a non-negative integer, got ${describeValue(createdAt)}`);
  }
  const kind = own(value, 'kind');
  if (typeof kind !== 'number' || !Number.isInteger(kind) || kind < 0 || kind > MAX_KIND) {
    return fail(`kind: expected an integer 0..${MAX_KIND}, got ${describeValue(kind)}`);
  }
  const content = own(value, 'content');
  if (typeof content !== 'string') return fail(`content: expected a string, got ${typeName(content)}`);
  const tags = copyTags(own(value, 'tags'), copy);
  if (typeof tags === 'string') return fail(tags);
  if (createdAt > now + limits.maxFutureSeconds) {
    return {
      ok: false,
      reason: 'future_created_at',
      detail: `created_at ${createdAt} is ${createdAt - Math.floor(now)} s ahead of the clock (allowed ${limits.maxFutureSeconds} s)`,
      id: claimedId,
    };
  }
  const event: NostrEvent = { id: claimedId, pubkey, created_at: createdAt, kind, tags, content, sig };
  return { ok: true, event };
}

/** A fresh array of fresh string arrays (or, with `copy` false, the same arrays checked), or a string saying what is wrong. */
function copyTags(tags: unknown, copy: boolean): string[][] | string {
  if (!Array.isArray(tags)) return `tags: expected an array, got ${typeName(tags)}`;
  const out: string[][] = copy ? new Array(tags.length) : (tags as string[][]);
  for (let i = 0; i < tags.length; i++) {
    const tag: unknown = tags[i];
    if (!Array.isArray(tag)) return `tags[${i}]: expected an array, got ${typeName(tag)}`;
    const items: string[] = copy ? new Array(tag.length) : (tag as string[]);
    for (let j = 0; j < tag.length; j++) {
      const item: unknown = tag[j];
      if (typeof item !== 'string') return `tags[${i}][${j}]: expected a string, got ${typeName(item)}`;
      if (copy) items[j] = item;
    }
    if (copy) out[i] = items;
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own properties only: a polluted Object.prototype must not fill in a missing field. */
function own(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function tooLarge(sizeBytes: number, limits: ShapeLimits): ShapeResult {
  return {
    ok: false,
    reason: 'too_large',
    detail: `${sizeBytes} bytes exceeds the limit of ${limits.maxEventBytes}`,
  };
}

function badShape(detail: string, id?: string): ShapeResult {
  return id === undefined
    ? { ok: false, reason: 'bad_shape', detail }
    : { ok: false, reason: 'bad_shape', detail, id };
}

function describeHex(value: unknown, length: number): string {
  if (typeof value !== 'string')
    return `expected ${length} lower-case hex characters, got ${typeName(value)}`;
  return `expected ${length} lower-case hex characters, got ${value.length} characters`;
}

function describeValue(value: unknown): string {
  return typeof value === 'number' ? String(value) : typeName(value);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'undefined' ? 'nothing' : `a ${typeof value}`;
}

/** Whatever was thrown, as text; a thrown value may itself be hostile, so this cannot throw. */
function errorMessage(err: unknown): string {
  try {
    return err instanceof Error ? String(err.message) : String(err);
  } catch {
    return 'unprintable error';
  }
}
