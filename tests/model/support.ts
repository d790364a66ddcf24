import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { finalizeEvent } from 'nostr-tools/pure';
import type { NostrEvent } from '../../exporter/model/nostr-event.js';
import { REAL_EVENTS_DIR } from '../support/paths.js';

export { REAL_EVENTS_DIR };

export interface RealEvent {
  /** `<folder>/<file>:<line>`, 1-based line. */
  readonly where: string;
  readonly text: string;
  readonly json: NostrEvent;
}

export function loadRealEvents(): RealEvent[] {
  const events: RealEvent[] = [];
  for (const folder of readdirSync(REAL_EVENTS_DIR, { withFileTypes: true })) {
    if (!folder.isDirectory()) continue;
    for (const file of readdirSync(join(REAL_EVENTS_DIR, folder.name)).filter((name) =>
      name.endsWith('.jsonl'),
    )) {
      const lines = readFileSync(join(REAL_EVENTS_DIR, folder.name, file), 'utf8').split('\n');
      lines.forEach((text, index) => {
        if (text.trim() === '') return;
        events.push({
          where: `${folder.name}/${file}:${index + 1}`,
          text,
          json: JSON.parse(text) as NostrEvent,
        });
      });
    }
  }
  return events;
}

function keyFromHex(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** Fixed keys, so signed test events are the same on every run. */
export const CUSTOMER_KEY = keyFromHex('11'.repeat(32));
export const DVM_KEY = keyFromHex('22'.repeat(32));

export interface Template {
  kind: number;
  tags?: string[][];
  content?: string;
  created_at?: number;
}

/** A really signed event, as plain JSON data (no marker symbols from nostr-tools). */
export function signed(template: Template, secretKey: Uint8Array = CUSTOMER_KEY): NostrEvent {
  const event = finalizeEvent(
    {
      kind: template.kind,
      tags: template.tags ?? [],
      content: template.content ?? '',
      created_at: template.created_at ?? 1_700_000_000,
    },
    secretKey,
  );
  return JSON.parse(JSON.stringify(event)) as NostrEvent;
}

/** A well-shaped but unsigned event, for rules that do not look at id or signature. */
export function draft(template: Template & { pubkey?: string }): NostrEvent {
  return {
    id: 'ab'.repeat(32),
    pubkey: template.pubkey ?? 'cd'.repeat(32),
    created_at: template.created_at ?? 1_700_000_000,
    kind: template.kind,
    tags: template.tags ?? [],
    content: template.content ?? '',
    sig: 'ef'.repeat(64),
  };
}

export const ID_A = 'a'.repeat(64);
export const ID_B = 'b'.repeat(64);
export const PK_C = 'c'.repeat(64);
