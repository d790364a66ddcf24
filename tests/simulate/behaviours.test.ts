import { describe, expect, it } from 'vitest';
import type { NostrEvent } from '../../exporter/model/nostr-event.js';
import {
  DEFAULT_SIMULATION,
  downAt,
  HEARTBEAT_INTERVAL_SECONDS,
  SIM_DVMS,
  type SimulatedItem,
  simulate,
  simulationKeys,
} from '../../exporter/simulate/index.js';
import { invoiceMsat, isRequest, isResult, parsedEvents, requestIdOf, tag, tags } from './support.js';

// One default run, read back from its JSON lines: every behaviour the simulator promises must be in it.
const options = DEFAULT_SIMULATION;
const items: SimulatedItem[] = [...simulate(options)];
const events = parsedEvents(items);
const end = options.start + options.durationSeconds;
const keys = simulationKeys(options.seed);

const dvm = (name: string) => SIM_DVMS.find((d) => d.name === name)!;
const byAuthor = (name: string) => events.filter((e) => e.pubkey === dvm(name).pubkey);
const requests = new Map(events.filter(isRequest).map((e) => [e.id, e]));
const responsesTo = new Map<string, NostrEvent[]>();
for (const event of events) {
  if (event.kind !== 7000 && !isResult(event)) continue;
  const id = requestIdOf(event);
  if (id) responsesTo.set(id, [...(responsesTo.get(id) ?? []), event]);
}
const targetedAt = (name: string) =>
  [...requests.values()].filter((r) => tag(r, 'p')?.[1] === dvm(name).pubkey);
const status = (event: NostrEvent) => tag(event, 'status')?.[1];
const nameOf = (pubkey: string) => SIM_DVMS.find((d) => d.pubkey === pubkey)?.name;

describe('a default simulation', () => {
  it('announces every DVM with its kinds and a kind-0-like profile', () => {
    for (const d of SIM_DVMS) {
      const announcement = byAuthor(d.name).find((e) => e.kind === 31990);
      expect(announcement, d.name).toBeDefined();
      expect(tag(announcement!, 'd')?.[1]).toBe(d.d);
      expect(tags(announcement!, 'k').map((t) => Number(t[1]))).toEqual(d.kinds);
      const profile = JSON.parse(announcement!.content) as Record<string, unknown>;
      expect(profile).toMatchObject({ name: d.name, picture: d.picture, about: d.about });
    }
    const recommendation = events.find((e) => e.kind === 31989)!;
    const [, pubkey, d] = tag(recommendation, 'a')![1]!.split(':');
    expect(SIM_DVMS.some((x) => x.pubkey === pubkey && x.d === d)).toBe(true);
  });

  it('has a healthy DVM that answers every job sent to it', () => {
    const jobs = targetedAt('Feedwise').filter((r) => r.created_at < end - 60);
    expect(jobs.length).toBeGreaterThan(100);
    for (const job of jobs) {
      expect(responsesTo.get(job.id)?.some((e) => isResult(e) && e.pubkey === dvm('Feedwise').pubkey)).toBe(
        true,
      );
    }
  });

  it('has a DVM that goes down: silent from downAt, its targeted jobs get nothing', () => {
    const down = downAt(options);
    const lighthouse = byAuthor('Lighthouse');
    expect(lighthouse.filter((e) => isResult(e)).length).toBeGreaterThan(20);
    expect(lighthouse.every((e) => e.created_at < down)).toBe(true);
    const afterwards = targetedAt('Lighthouse').filter((r) => r.created_at >= down);
    expect(afterwards.length).toBeGreaterThan(20);
    for (const job of afterwards) expect(responsesTo.get(job.id) ?? []).toEqual([]);
    const beats = lighthouse.filter((e) => e.kind === 11998);
    expect(beats.at(-1)!.created_at).toBeGreaterThanOrEqual(down - HEARTBEAT_INTERVAL_SECONDS);
  });

  it('sends heartbeats every 300 s from the DVMs that beat', () => {
    for (const d of SIM_DVMS) {
      const beats = byAuthor(d.name).filter((e) => e.kind === 11998);
      if (!d.heartbeats) {
        expect(beats, d.name).toEqual([]);
        continue;
      }
      expect(beats.length, d.name).toBeGreaterThan(0);
      for (let i = 1; i < beats.length; i++) {
        expect(beats[i]!.created_at - beats[i - 1]!.created_at).toBe(HEARTBEAT_INTERVAL_SECONDS);
      }
      for (const beat of beats) {
        expect(tag(beat, 'd')?.[1]).toBe(d.d);
        expect(Number(tag(beat, 'expiration')?.[1])).toBe(beat.created_at + 300);
      }
      if (d.behaviour !== 'down') expect(beats.length).toBe(Math.floor(options.durationSeconds / 300));
    }
  });

  it('has a paid DVM: payment-required with a decodable invoice for the amount, then the result', () => {
    const asks = byAuthor('Babel').filter((e) => status(e) === 'payment-required');
    expect(asks.length).toBeGreaterThan(30);
    for (const ask of asks) {
      const [, msat, bolt11] = tag(ask, 'amount')!;
      expect(invoiceMsat(bolt11!)).toBe(msat);
      const job = requestIdOf(ask)!;
      if (ask.created_at < end - 120) {
        expect(responsesTo.get(job)!.some((e) => isResult(e) && e.pubkey === ask.pubkey)).toBe(true);
      }
    }
    // NDK style: the 4-element `e` tag with the `job` marker.
    expect(
      byAuthor('Babel')
        .filter(isResult)
        .every((e) => tag(e, 'e')?.[3] === 'job'),
    ).toBe(true);
  });

  it('has a DVM that asks for payment and never delivers, with the real spelling quirks', () => {
    const tollbooth = byAuthor('Tollbooth');
    expect(tollbooth.filter(isResult)).toEqual([]);
    const statuses = new Set(tollbooth.filter((e) => e.kind === 7000).map(status));
    expect(statuses).toEqual(new Set(['payment-required', 'payment_required']));
    expect(tollbooth.some((e) => tag(e, 'amount')?.[1] === '100_000')).toBe(true);
  });

  it('has a DVM with a high error ratio, and a result without an `e` tag', () => {
    const stumble = byAuthor('Stumble');
    const jobs = new Set(stumble.map(requestIdOf).filter(Boolean));
    const failed = new Set(stumble.filter((e) => status(e) === 'error').map(requestIdOf));
    expect(failed.size / jobs.size).toBeGreaterThan(0.4);
    expect(stumble.some((e) => isResult(e) && tags(e, 'e').length === 0)).toBe(true);
  });

  it('has a slow DVM: minutes to a result, with processing and partial feedback', () => {
    const glacier = byAuthor('Glacier');
    const results = glacier.filter(isResult);
    expect(results.length).toBeGreaterThan(10);
    for (const result of results) {
      expect(result.created_at - requests.get(requestIdOf(result)!)!.created_at).toBeGreaterThanOrEqual(120);
    }
    expect(glacier.some((e) => status(e) === 'partial')).toBe(true);
  });

  it('has bare Vertex-style results carrying only `e` and `p`', () => {
    const results = byAuthor('Trustgraph').filter(isResult);
    expect(results.length).toBeGreaterThan(10);
    for (const result of results) expect(result.tags.map((t) => t[0]).sort()).toEqual(['e', 'p']);
  });

  it('has several DVMs answering one request', () => {
    const multi = [...responsesTo.values()].filter(
      (responses) => new Set(responses.filter(isResult).map((e) => e.pubkey)).size >= 2,
    );
    expect(multi.length).toBeGreaterThan(10);
  });

  it('has results shaped as real frameworks write them', () => {
    const results = events.filter(isResult);
    for (const result of results) {
      const request = requests.get(requestIdOf(result) ?? '');
      if (request) expect(result.kind).toBe(request.kind + 1000);
      expect(tag(result, 'p')?.[1]).toBe(request?.pubkey ?? tag(result, 'p')?.[1]);
    }
    const nostrdvm = results.filter((e) => tag(e, 'request'));
    expect(nostrdvm.length).toBeGreaterThan(100);
    for (const result of nostrdvm) {
      expect(JSON.parse(tag(result, 'request')![1]!).id).toBe(requestIdOf(result));
    }
    const expiring = results.filter((e) => tag(e, 'expiration'));
    expect(expiring.length).toBeGreaterThan(100);
    for (const result of expiring)
      expect(Number(tag(result, 'expiration')![1])).toBe(result.created_at + 600);
  });

  it('has encrypted requests of both schemes, answered with encrypted feedback that has no status', () => {
    const encrypted = [...requests.values()].filter((r) => tag(r, 'encrypted'));
    const nip04 = encrypted.filter((r) => r.content.includes('?iv='));
    const nip44 = encrypted.filter(
      (r) => !r.content.includes('?iv=') && Buffer.from(r.content, 'base64')[0] === 2,
    );
    expect(nip04.length).toBeGreaterThan(5);
    expect(nip44.length).toBeGreaterThan(5);
    expect(nip04.length + nip44.length).toBe(encrypted.length);
    for (const request of encrypted) {
      expect(tag(request, 'p')).toBeDefined();
      expect(tags(request, 'i')).toEqual([]);
      const feedback = (responsesTo.get(request.id) ?? []).filter((e) => e.kind === 7000);
      for (const f of feedback) {
        expect(tag(f, 'status')).toBeUndefined();
        expect(tag(f, 'encrypted')).toBeDefined();
      }
    }
  });

  it('has job chains, three steps deep, and a step with two job inputs', () => {
    const jobInputs = (r: NostrEvent) => tags(r, 'i').filter((t) => t[2] === 'job');
    const parentOf = (r: NostrEvent) => requests.get(jobInputs(r)[0]?.[1] ?? '');
    const depth = (r: NostrEvent): number => {
      const parent = parentOf(r);
      return parent ? 1 + depth(parent) : 1;
    };
    const chained = [...requests.values()].filter((r) => jobInputs(r).length > 0);
    expect(chained.length).toBeGreaterThan(20);
    expect(Math.max(...chained.map(depth))).toBeGreaterThanOrEqual(3);
    const branching = chained.filter((r) => jobInputs(r).length === 2);
    expect(branching.length).toBeGreaterThan(0);
    for (const r of branching) {
      for (const input of jobInputs(r)) expect(requests.has(input[1]!)).toBe(true);
      expect(jobInputs(r).some((t) => t[4] === 'background')).toBe(true);
    }
    expect(events.some((e) => status(e) === 'chain-scheduled')).toBe(true);
  });

  it('has cancellations by the author that stop the job, and forged ones that do not', () => {
    const cancellations = events.filter((e) => e.kind === 5);
    const byAuthorOfRequest = cancellations.filter(
      (c) => requests.get(tag(c, 'e')![1]!)?.pubkey === c.pubkey,
    );
    const forged = cancellations.filter((c) => requests.get(tag(c, 'e')![1]!)?.pubkey !== c.pubkey);
    expect(byAuthorOfRequest.length).toBeGreaterThan(5);
    expect(forged.length).toBeGreaterThan(0);
    for (const c of byAuthorOfRequest) {
      expect(tag(c, 'k')?.[1]).toBe(String(requests.get(tag(c, 'e')![1]!)!.kind));
      const after = (responsesTo.get(tag(c, 'e')![1]!) ?? []).filter((e) => e.created_at >= c.created_at);
      expect(after).toEqual([]);
    }
  });

  it('has zap receipts on results whose invoice matches the zap request amount', () => {
    const zaps = events.filter((e) => e.kind === 9735);
    expect(zaps.length).toBeGreaterThan(10);
    const resultIds = new Set(events.filter(isResult).map((e) => e.id));
    for (const zap of zaps) {
      expect(resultIds.has(tag(zap, 'e')![1]!)).toBe(true);
      expect(zap.pubkey).toBe(keys.zapper.pubkey);
      const zapRequest = JSON.parse(tag(zap, 'description')![1]!) as NostrEvent;
      expect(zapRequest.kind).toBe(9734);
      expect(invoiceMsat(tag(zap, 'bolt11')![1]!)).toBe(tag(zapRequest, 'amount')![1]);
    }
  });

  it('has every feedback status a DVM market shows', () => {
    const statuses = new Set(events.filter((e) => e.kind === 7000).map(status));
    for (const s of ['processing', 'payment-required', 'error', 'partial', 'success', 'chain-scheduled']) {
      expect(statuses.has(s), s).toBe(true);
    }
  });

  it('has a share of malformed, forged and non-DVM items of every kind, near the requested share', () => {
    const reasons = new Map<string, number>();
    for (const item of items) {
      if (item.expect.outcome === 'rejected')
        reasons.set(item.expect.reason, (reasons.get(item.expect.reason) ?? 0) + 1);
    }
    for (const reason of [
      'bad_id',
      'bad_sig',
      'bad_shape',
      'bad_json',
      'excluded_kind',
      'not_job_like',
      'not_dvm',
    ]) {
      expect(reasons.get(reason), reason).toBeGreaterThan(0);
    }
    const share = [...reasons.values()].reduce((a, b) => a + b, 0) / items.length;
    expect(share).toBeGreaterThan(options.malformedShare * 0.6);
    expect(share).toBeLessThan(options.malformedShare * 1.4);
    const excludedKinds = new Set(
      items
        .filter((i) => i.expect.outcome === 'rejected' && i.expect.reason === 'excluded_kind')
        .map((i) => (JSON.parse(i.line) as NostrEvent).kind),
    );
    expect(excludedKinds).toEqual(new Set([5666, 5969, 6969]));
  });

  it('has requests delivered late (after their answers), duplicates, and the well-known test key', () => {
    const firstResponseAt = new Map<string, number>();
    for (const item of items) {
      if (
        item.expect.outcome !== 'accepted' ||
        (item.expect.role !== 'feedback' && item.expect.role !== 'result')
      )
        continue;
      const id = requestIdOf(JSON.parse(item.line) as NostrEvent);
      if (id && !firstResponseAt.has(id)) firstResponseAt.set(id, item.at);
    }
    const late = items.filter((item) => {
      if (item.expect.outcome !== 'accepted' || item.expect.role !== 'request') return false;
      const id = (JSON.parse(item.line) as NostrEvent).id;
      return (firstResponseAt.get(id) ?? Number.POSITIVE_INFINITY) < item.at;
    });
    expect(late.length).toBeGreaterThan(3);
    expect(items.filter((i) => i.expect.outcome === 'duplicate').length).toBeGreaterThan(50);
    expect([...requests.values()].some((r) => r.pubkey === keys.testCustomer.pubkey)).toBe(true);
    expect(new Set([...requests.values()].map((r) => r.pubkey)).size).toBe(keys.customers.length + 1);
  });

  it('names the DVM of every response, and only simulated DVMs respond', () => {
    for (const event of events) {
      if (event.kind === 7000 || isResult(event)) expect(nameOf(event.pubkey)).toBeDefined();
    }
  });
});
