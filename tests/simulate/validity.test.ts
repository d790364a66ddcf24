import { getEventHash, verifyEvent as verifyPure } from 'nostr-tools/pure';
import { describe, expect, it } from 'vitest';
import type { NostrEvent } from '../../exporter/model/nostr-event.js';
import { DEFAULT_SIMULATION, type SimulatedItem, simulate } from '../../exporter/simulate/index.js';
import { invoiceMsat, invoiceTimestamp, tag, verifies } from './support.js';

const items: SimulatedItem[] = [
  ...simulate({ ...DEFAULT_SIMULATION, durationSeconds: 600, malformedShare: 0.1 }),
];
const rejected = (reason: string) =>
  items.filter((item) => item.expect.outcome === 'rejected' && item.expect.reason === reason);
const parse = (item: SimulatedItem) => JSON.parse(item.line) as NostrEvent;
const mutable = (event: NostrEvent) => ({ ...event, tags: event.tags.map((t) => [...t]) });

describe('simulated events', () => {
  it('are valid NIP-01 events when they are meant to be: id and signature verify', () => {
    const valid = items.filter((item) => item.expect.outcome !== 'rejected');
    expect(valid.length).toBeGreaterThan(1000);
    for (const item of valid) {
      const event = parse(item);
      expect(item.event).toEqual(event);
      expect(Object.keys(event)).toEqual(['id', 'pubkey', 'created_at', 'kind', 'tags', 'content', 'sig']);
      expect(getEventHash(mutable(event))).toBe(event.id);
      expect(verifies(event), item.note).toBe(true);
    }
    // The pure-JS path of nostr-tools agrees (on a sample: it is ~10x slower).
    for (const item of valid.filter((_, i) => i % 40 === 0))
      expect(verifyPure(mutable(parse(item)))).toBe(true);
  });

  it('fail verification when edited or forged', () => {
    expect(rejected('bad_id').length).toBeGreaterThan(0);
    for (const item of rejected('bad_id')) {
      const event = parse(item);
      expect(getEventHash(mutable(event))).not.toBe(event.id);
      expect(verifies(event)).toBe(false);
    }
    const badSig = rejected('bad_sig');
    expect(badSig.some((item) => item.note === 'forged.impersonation')).toBe(true);
    expect(badSig.some((item) => item.note === 'malformed.bad_sig')).toBe(true);
    for (const item of badSig) {
      const event = parse(item);
      expect(getEventHash(mutable(event))).toBe(event.id);
      expect(verifies(event)).toBe(false);
      expect(verifyPure(mutable(event))).toBe(false);
    }
  });

  it('are not events at all when marked as bad JSON or bad shape', () => {
    for (const item of rejected('bad_json')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(item.line);
      } catch {
        continue;
      }
      expect(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)).toBe(false);
    }
    const shapes = rejected('bad_shape');
    expect(shapes.length).toBeGreaterThan(0);
    for (const item of shapes) {
      const value = JSON.parse(item.line) as Record<string, unknown>;
      const fieldOk =
        /^[0-9a-f]{64}$/.test(String(value.id)) &&
        /^[0-9a-f]{64}$/.test(String(value.pubkey)) &&
        /^[0-9a-f]{128}$/.test(String(value.sig)) &&
        Number.isInteger(value.created_at) &&
        Number.isInteger(value.kind) &&
        typeof value.content === 'string' &&
        Array.isArray(value.tags);
      expect(fieldOk, item.line).toBe(false);
    }
  });

  it('carry bolt11 invoices that decode to the amount tag and to the event time', () => {
    let checked = 0;
    for (const item of items) {
      if (item.expect.outcome !== 'accepted') continue;
      const event = parse(item);
      const amount = tag(event, 'amount');
      if (amount?.[2]?.startsWith('ln')) {
        expect(invoiceMsat(amount[2])).toBe(amount[1]);
        expect(invoiceTimestamp(amount[2])).toBe(event.created_at);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });
});
