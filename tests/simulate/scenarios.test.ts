import { describe, expect, it } from 'vitest';
import type { NostrEvent } from '../../exporter/model/nostr-event.js';
import {
  SCENARIO_NAMES,
  type ScenarioName,
  SIM_DVMS,
  scenarioEvents,
} from '../../exporter/simulate/index.js';
import { invoiceMsat, isRequest, isResult, requestIdOf, tag, tags, verifies } from './support.js';

const events = (name: ScenarioName): NostrEvent[] =>
  scenarioEvents(name).map((item) => JSON.parse(item.line));
const author = (event: NostrEvent) => SIM_DVMS.find((dvm) => dvm.pubkey === event.pubkey)?.name ?? 'customer';
const status = (event: NostrEvent) => tag(event, 'status')?.[1];
const jobInputs = (event: NostrEvent) =>
  tags(event, 'i')
    .filter((t) => t[2] === 'job')
    .map((t) => t[1]);

describe('scenarios', () => {
  it.each(SCENARIO_NAMES)('%s: a handful of valid, linked events, deterministic, in order', (name) => {
    const items = scenarioEvents(name);
    expect(items.length).toBeGreaterThanOrEqual(2);
    expect(items.length).toBeLessThanOrEqual(15);
    expect(scenarioEvents(name).map((item) => item.line)).toEqual(items.map((item) => item.line));
    expect(scenarioEvents(name, 2).map((item) => item.line)).not.toEqual(items.map((item) => item.line));
    for (let i = 1; i < items.length; i++) expect(items[i]!.at).toBeGreaterThanOrEqual(items[i - 1]!.at);
    const requests = new Map(
      events(name)
        .filter(isRequest)
        .map((e) => [e.id, e]),
    );
    for (const item of items) {
      expect(item.expect.outcome).toBe('accepted');
      const event = JSON.parse(item.line) as NostrEvent;
      expect(verifies(event)).toBe(true);
      if (event.kind === 7000 || isResult(event)) {
        const request = requests.get(requestIdOf(event)!);
        expect(request).toBeDefined();
        expect(tag(event, 'p')?.[1]).toBe(request!.pubkey);
        if (isResult(event)) expect(event.kind).toBe(request!.kind + 1000);
      }
    }
  });

  it('one-dvm: a request, processing, a result from one DVM', () => {
    expect(events('one-dvm').map((e) => [e.kind, author(e), status(e)])).toEqual([
      [5300, 'customer', undefined],
      [7000, 'Feedwise', 'processing'],
      [6300, 'Feedwise', 'success'],
    ]);
  });

  it('multi-dvm: one untargeted request answered by two DVMs', () => {
    const all = events('multi-dvm');
    expect(tags(all[0]!, 'p')).toEqual([]);
    expect(new Set(all.filter(isResult).map(author))).toEqual(new Set(['Feedwise', 'Lighthouse']));
  });

  it('three-step-chain: each step builds on the previous one', () => {
    const requests = events('three-step-chain').filter(isRequest);
    expect(requests.map((r) => r.kind)).toEqual([5000, 5002, 5001]);
    expect(jobInputs(requests[0]!)).toEqual([]);
    expect(jobInputs(requests[1]!)).toEqual([requests[0]!.id]);
    expect(jobInputs(requests[2]!)).toEqual([requests[1]!.id]);
    expect(events('three-step-chain').filter(isResult)).toHaveLength(3);
  });

  it('branching-chain: a step with two job inputs, one marked background', () => {
    const requests = events('branching-chain').filter(isRequest);
    const overlay = requests.find((r) => r.kind === 5102)!;
    const cutout = requests.find((r) => r.kind === 5101)!;
    expect(jobInputs(overlay)).toEqual([cutout.id, requests[1]!.id]);
    expect(tags(overlay, 'i')[1]![4]).toBe('background');
    expect(jobInputs(cutout)).toEqual([requests[0]!.id]);
  });

  it('result-before-request: created first, delivered after its answers', () => {
    const items = scenarioEvents('result-before-request');
    const last = JSON.parse(items.at(-1)!.line) as NostrEvent;
    expect(last.kind).toBe(5300);
    expect(items.at(-1)!.at).toBeGreaterThan(items[0]!.at);
    const result = items.map((item) => JSON.parse(item.line) as NostrEvent).find(isResult)!;
    expect(last.created_at).toBeLessThan(result.created_at);
  });

  it('payment-then-success: an invoice for the amount, then the result, success and a zap', () => {
    const all = events('payment-then-success');
    expect(all.map((e) => (e.kind === 7000 ? status(e) : e.kind))).toEqual([
      5002,
      'payment-required',
      'processing',
      6002,
      'success',
      9735,
    ]);
    const [, msat, bolt11] = tag(all[1]!, 'amount')!;
    expect(msat).toBe('21000');
    expect(invoiceMsat(bolt11!)).toBe('21000');
    expect(tag(all[5]!, 'e')?.[1]).toBe(all[3]!.id);
  });

  it('error, expired and cancelled end without a result', () => {
    expect(events('error').map(status)).toEqual([undefined, 'processing', 'error']);
    expect(events('expired').some(isResult)).toBe(false);
    const cancelled = events('cancelled');
    expect(cancelled.some(isResult)).toBe(false);
    const deletion = cancelled.find((e) => e.kind === 5)!;
    expect(deletion.pubkey).toBe(cancelled[0]!.pubkey);
    expect(tag(deletion, 'e')?.[1]).toBe(cancelled[0]!.id);
  });
});
