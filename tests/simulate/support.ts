import { decode } from 'light-bolt11-decoder';
import { setNostrWasm, verifyEvent } from 'nostr-tools/wasm';
import { initNostrWasm } from 'nostr-wasm';
import type { NostrEvent } from '../../exporter/model/nostr-event.js';
import type { SimulatedItem } from '../../exporter/simulate/index.js';

setNostrWasm(await initNostrWasm());

/** nostr-tools' verifier on the libsecp256k1 (wasm) path: the same verdicts as the pure path, faster. */
export function verifies(event: NostrEvent): boolean {
  return verifyEvent({ ...event, tags: event.tags.map((tag) => [...tag]) });
}

/** The events of a run, read back from the JSON lines as a consumer would (not from the typed items). */
export function parsedEvents(items: readonly SimulatedItem[]): NostrEvent[] {
  const out: NostrEvent[] = [];
  for (const item of items) {
    if (item.expect.outcome !== 'accepted') continue;
    out.push(JSON.parse(item.line) as NostrEvent);
  }
  return out;
}

export function tag(event: NostrEvent, name: string): readonly string[] | undefined {
  return event.tags.find((t) => t[0] === name);
}

export function tags(event: NostrEvent, name: string): (readonly string[])[] {
  return event.tags.filter((t) => t[0] === name);
}

/** The request a response points at: the `job`-marked `e` tag, else the first. */
export function requestIdOf(event: NostrEvent): string | undefined {
  const es = tags(event, 'e');
  return (es.find((t) => t[3] === 'job') ?? es[0])?.[1];
}

export function isRequest(event: NostrEvent): boolean {
  return event.kind >= 5000 && event.kind <= 5999;
}

export function isResult(event: NostrEvent): boolean {
  return event.kind >= 6000 && event.kind <= 6999;
}

/** The amount in millisats a bolt11 invoice carries, read with light-bolt11-decoder. */
export function invoiceMsat(bolt11: string): string | undefined {
  const section = decode(bolt11).sections.find((s) => s.name === 'amount') as { value?: string } | undefined;
  return section?.value;
}

export function invoiceTimestamp(bolt11: string): number | undefined {
  const section = decode(bolt11).sections.find((s) => s.name === 'timestamp') as
    | { value?: number }
    | undefined;
  return section?.value;
}
