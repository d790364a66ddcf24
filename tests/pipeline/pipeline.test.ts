import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../exporter/base/clock.js';
import type { DomainEvent } from '../../exporter/jobs/domain-events.js';
import type { NostrEvent } from '../../exporter/model/nostr-event.js';
import { createVerifier, type EventVerifier } from '../../exporter/model/verify.js';
import { Pipeline } from '../../exporter/pipeline/pipeline.js';
import type { Sink } from '../../exporter/pipeline/sink.js';
import { offerLine } from '../../exporter/sources/jsonl-decoder.js';
import { DVM_KEY, signed } from '../model/support.js';

const NOW = 1_700_000_100;

/** The real wasm verifier, counting how often it is asked. */
async function countingVerifier(): Promise<EventVerifier & { calls: number }> {
  const real = await createVerifier('wasm');
  const counting = {
    name: 'counting',
    kind: real.kind,
    calls: 0,
    check(event: NostrEvent) {
      counting.calls++;
      return real.check(event);
    },
  };
  return counting;
}

async function setup(sinks: Sink[] = []) {
  const verifier = await countingVerifier();
  const clock = new ManualClock(NOW);
  const pipeline = new Pipeline({ verifier, clock, wallClock: clock, sinks });
  const events: DomainEvent[] = [];
  pipeline.subscribe((event) => events.push(event));
  return { pipeline, verifier, events };
}

const request = () =>
  signed({
    kind: 5300,
    tags: [
      ['p', 'ab'.repeat(32)],
      ['relays', 'wss://r'],
    ],
    created_at: NOW - 50,
  });
const text = (event: NostrEvent) => JSON.stringify(event);

describe('pipeline', () => {
  it('verifies an id once: a copy from a second relay is a duplicate, sighted but not re-verified', async () => {
    const { pipeline, verifier, events } = await setup();
    const event = request();
    expect(pipeline.ingestText(text(event), { relay: 'wss://a' })).toMatchObject({
      status: 'accepted',
      role: 'request',
    });
    expect(pipeline.ingestValue(JSON.parse(text(event)), 300, { relay: 'wss://b' })).toEqual({
      status: 'duplicate',
      id: event.id,
    });
    expect(verifier.calls).toBe(1);
    expect(events.filter((e) => e.type === 'event_accepted')).toHaveLength(1);
    expect(events.find((e) => e.type === 'event_sighted')).toMatchObject({ id: event.id, relay: 'wss://b' });
  });

  it('never trusts an id whose first copy failed: every copy is checked again', async () => {
    const { pipeline, verifier } = await setup();
    const good = request();
    const forged = { ...good, sig: good.sig.replace(/^./, good.sig[0] === 'a' ? 'b' : 'a') };
    expect(pipeline.ingestText(text(forged), { relay: 'wss://a' })).toMatchObject({ reason: 'bad_sig' });
    expect(pipeline.ingestText(text(forged), { relay: 'wss://b' })).toMatchObject({ reason: 'bad_sig' });
    expect(pipeline.ingestText(text(good), { relay: 'wss://c' })).toMatchObject({ status: 'accepted' });
    expect(verifier.calls).toBe(3);
  });

  it('rejects an edited copy that kept the id and signature of an accepted event', async () => {
    const { pipeline } = await setup();
    const event = request();
    pipeline.ingestText(text(event), { relay: 'wss://a' });
    const edited = { ...event, content: 'changed after signing' };
    expect(pipeline.ingestText(text(edited), { relay: 'wss://b' })).toMatchObject({
      status: 'rejected',
      reason: 'bad_id',
    });
  });

  it('turns away kinds it does not model before paying for a signature check', async () => {
    const { pipeline, verifier } = await setup();
    expect(pipeline.ingestText(text(signed({ kind: 1, content: 'hello' })), { relay: null })).toMatchObject({
      reason: 'not_dvm',
    });
    expect(
      pipeline.ingestText(text(signed({ kind: 5666, tags: [['i', 'x']] })), { relay: null }),
    ).toMatchObject({
      reason: 'excluded_kind',
    });
    expect(verifier.calls).toBe(0);
  });

  it('counts every input in the summary, by outcome, reason and role', async () => {
    const { pipeline } = await setup();
    const req = request();
    const result = signed(
      {
        kind: 6300,
        tags: [
          ['e', req.id],
          ['p', req.pubkey],
        ],
        created_at: NOW - 40,
      },
      DVM_KEY,
    );
    pipeline.ingestText(text(req), { relay: null });
    pipeline.ingestText(text(req), { relay: null });
    pipeline.ingestText(text(result), { relay: null });
    pipeline.ingestText('{not json', { relay: null });
    pipeline.ingestText(text({ ...req, created_at: NOW + 3_600 }), { relay: null });
    pipeline.rejectOversized(10_000_000);
    expect(pipeline.summaryTotals()).toEqual({
      read: 6,
      accepted: 2,
      duplicates: 1,
      rejected: { bad_json: 1, future_created_at: 1, too_large: 1 },
      roles: {
        request: 1,
        result: 1,
        feedback: 0,
        announcement: 0,
        recommendation: 0,
        cancellation: 0,
        heartbeat: 0,
        zap_receipt: 0,
      },
      jobs: 1,
    });
  });

  it('keeps delivering to the other sinks when one throws, and counts the failure', async () => {
    const seen: string[] = [];
    const broken: Sink = {
      name: 'broken',
      handle: () => {
        throw new Error('boom');
      },
      flush: async () => {},
      close: async () => {},
    };
    const working: Sink = {
      name: 'working',
      handle: (e) => seen.push(e.type),
      flush: async () => {},
      close: async () => {},
    };
    const { pipeline } = await setup([broken, working]);
    expect(pipeline.ingestText(text(request()), { relay: null })).toMatchObject({ status: 'accepted' });
    expect(seen).toEqual(['event_accepted', 'job_requested']);
    expect(pipeline.bus.sinkErrors().get('broken')).toBe(2);
  });

  it('reads JSON Lines of bare events and of relay messages, ignoring frames that carry no event', async () => {
    const { pipeline } = await setup();
    const event = request();
    expect(offerLine(pipeline, `["EVENT","sub1",${text(event)}]`, { relay: null })).toMatchObject({
      status: 'accepted',
    });
    expect(offerLine(pipeline, '["EOSE","sub1"]', { relay: null })).toBeNull();
    expect(offerLine(pipeline, '   ', { relay: null })).toBeNull();
    expect(offerLine(pipeline, '["EVENT","sub1",{"id":1}', { relay: null })).toMatchObject({
      reason: 'bad_json',
    });
    expect(offerLine(pipeline, '[1,2]', { relay: null })).toMatchObject({ reason: 'bad_json' });
    expect(offerLine(pipeline, '["EVENT","s",{"id":"x"}]', { relay: null })).toMatchObject({
      reason: 'bad_shape',
    });
  });

  it('applies the event size limit to the event, bare or inside a relay frame', async () => {
    const { pipeline } = await setup();
    const limit = pipeline.maxEventBytes;
    /** A signed event whose compact JSON is exactly `bytes` long. */
    const ofSize = (bytes: number) => {
      const probe = text(signed({ kind: 5050, content: '', created_at: NOW - 10 }));
      const event = signed({ kind: 5050, content: 'x'.repeat(bytes - probe.length), created_at: NOW - 10 });
      expect(Buffer.byteLength(text(event))).toBe(bytes);
      return text(event);
    };
    const largest = ofSize(limit);
    const tooLarge = ofSize(limit + 1);
    const forms = (event: string) => [event, `["EVENT","subscription-1",${event}]`, `["EVENT",${event}]`];
    for (const line of forms(largest)) {
      expect(offerLine(pipeline, line, { relay: null })?.status).not.toBe('rejected');
    }
    for (const line of forms(tooLarge)) {
      expect(offerLine(pipeline, line, { relay: null })).toMatchObject({
        status: 'rejected',
        reason: 'too_large',
      });
    }
  });
});
