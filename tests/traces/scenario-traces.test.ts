import { describe, expect, it } from 'vitest';
import type { NostrEvent } from '../../exporter/model/nostr-event.js';
import { type ScenarioName, scenarioEvents } from '../../exporter/simulate/index.js';
import type { ReceivedSpan } from '../support/otlp-receiver.js';
import { replayWithTraces, writeJsonl } from './replay-support.js';
import { fileReceiver, sha16 } from './support.js';

/*
 * The simulator's scenarios replayed the way `dvm-exporter replay` runs a file (real parser, verifier,
 * job index on event time, the traces sink built by its factory), decoded by a real OTLP receiver.
 * Expected spans are derived here from the scenario's own events and the documented id rules.
 */

const receiver = fileReceiver();

interface Story {
  readonly spans: ReceivedSpan[];
  /** The n-th event (0-based) with this note, e.g. `request`, `result`, `feedback.processing`. */
  event(note: string, nth?: number): NostrEvent;
}

async function replay(name: ScenarioName): Promise<Story> {
  const items = scenarioEvents(name);
  const { file, remove } = writeJsonl(items);
  try {
    await replayWithTraces([file], receiver().url);
  } finally {
    remove();
  }
  expect(receiver().problems).toEqual([]);
  const byCreation = [...items].sort(
    (a, b) => (a.event as NostrEvent).created_at - (b.event as NostrEvent).created_at,
  );
  return {
    spans: receiver().spans(),
    event(note, nth = 0) {
      const found = byCreation.filter((item) => item.note === note)[nth];
      if (!found) throw new Error(`${name} has no ${note} #${nth}`);
      return found.event as NostrEvent;
    },
  };
}

/** A span reduced to its place in the tree, its times and its events: what a trace view shows. */
function shape(span: ReceivedSpan) {
  return {
    name: span.name,
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    start: span.start,
    end: span.end,
    events: span.events.map((e) =>
      [e.name, e.time, e.attributes['dvm.feedback.status'] ?? null, e.attributes['nostr.event.id']].join(' '),
    ),
  };
}

const sorted = <T extends { spanId: string }>(list: T[]) =>
  [...list].sort((a, b) => a.spanId.localeCompare(b.spanId));

function jobShape(
  request: NostrEvent,
  root: NostrEvent,
  parent: NostrEvent | null,
  end: number,
  events: string[] = [],
) {
  return {
    name: `dvm.job ${request.kind}`,
    traceId: root.id.slice(0, 32),
    spanId: request.id.slice(32, 48),
    parentSpanId: parent ? parent.id.slice(32, 48) : '',
    start: request.created_at,
    end,
    events,
  };
}

function responseShape(
  request: NostrEvent,
  root: NostrEvent,
  answers: NostrEvent[],
  start: number,
  end: number,
) {
  const dvm = answers[0]!.pubkey;
  return {
    name: `dvm.response ${request.kind}`,
    traceId: root.id.slice(0, 32),
    spanId: sha16(request.id + dvm),
    parentSpanId: request.id.slice(32, 48),
    start,
    end,
    events: answers.map((e) => {
      const status = e.kind === 7000 ? (e.tags.find((t) => t[0] === 'status')?.[1] ?? null) : null;
      return [e.kind === 7000 ? 'dvm.feedback' : 'dvm.result', e.created_at, status, e.id].join(' ');
    }),
  };
}

const jobOf = (spans: ReceivedSpan[], request: NostrEvent) =>
  spans.find((s) => s.spanId === request.id.slice(32, 48) && s.name.startsWith('dvm.job'))!;
const responseOf = (spans: ReceivedSpan[], request: NostrEvent, dvm: string) =>
  spans.find((s) => s.spanId === sha16(request.id + dvm))!;

describe('simulator scenarios as traces (replay → OTLP/HTTP JSON)', () => {
  it('one DVM', async () => {
    const s = await replay('one-dvm');
    const [req, fb, res] = [s.event('request'), s.event('feedback.processing'), s.event('result')];
    expect(sorted(s.spans.map(shape))).toEqual(
      sorted([
        jobShape(req, req, null, res.created_at),
        responseShape(req, req, [fb, res], fb.created_at, res.created_at),
      ]),
    );
    expect(jobOf(s.spans, req).attributes).toMatchObject({
      'dvm.job.outcome': 'success',
      'dvm.job.targets': [res.pubkey],
    });
    expect(jobOf(s.spans, req).resource['service.name']).toBe('dvm-exporter');
    expect(responseOf(s.spans, req, res.pubkey).attributes).toMatchObject({
      'dvm.pubkey': res.pubkey,
      'dvm.response.outcome': 'result',
      'dvm.response.targeted': true,
      'nostr.event.id': res.id,
    });
  });

  it('several DVMs answering one request', async () => {
    const s = await replay('multi-dvm');
    const req = s.event('request');
    const [fb1, fb2] = [s.event('feedback.processing', 0), s.event('feedback.processing', 1)];
    const [res1, res2] = [s.event('result', 0), s.event('result', 1)];
    expect(fb1.pubkey).toBe(res1.pubkey);
    expect(fb2.pubkey).toBe(res2.pubkey);
    expect(sorted(s.spans.map(shape))).toEqual(
      sorted([
        jobShape(req, req, null, res2.created_at),
        responseShape(req, req, [fb1, res1], fb1.created_at, res1.created_at),
        responseShape(req, req, [fb2, res2], fb2.created_at, res2.created_at),
      ]),
    );
    expect(jobOf(s.spans, req).attributes).toMatchObject({
      'dvm.job.dvm_count': 2,
      'dvm.job.result_count': 2,
    });
  });

  it('a three-step chain: one trace, each step a child of the step it builds on', async () => {
    const s = await replay('three-step-chain');
    const [audio, translate, summarize] = [
      s.event('request', 0),
      s.event('request', 1),
      s.event('request', 2),
    ];
    const [r1, r2, r3] = [s.event('result', 0), s.event('result', 1), s.event('result', 2)];
    const fb = (note: string, n: number) => s.event(note, n);
    expect(sorted(s.spans.map(shape))).toEqual(
      sorted([
        jobShape(audio, audio, null, r1.created_at),
        jobShape(translate, audio, audio, r2.created_at),
        jobShape(summarize, audio, translate, r3.created_at),
        responseShape(audio, audio, [fb('feedback.processing', 0), r1], audio.created_at + 2, r1.created_at),
        responseShape(
          translate,
          audio,
          [fb('feedback.chain-scheduled', 0), fb('feedback.processing', 1), r2],
          translate.created_at + 2,
          r2.created_at,
        ),
        responseShape(
          summarize,
          audio,
          [fb('feedback.chain-scheduled', 1), fb('feedback.processing', 2), r3],
          summarize.created_at + 2,
          r3.created_at,
        ),
      ]),
    );
    expect(jobOf(s.spans, summarize).attributes).toMatchObject({
      'dvm.chain.root': audio.id,
      'dvm.chain.parent': translate.id,
      'dvm.chain.inputs': [translate.id],
    });
  });

  it('a branching chain: two roots, a fan-in step parented by its first input and linked to the other', async () => {
    const s = await replay('branching-chain');
    const [subject, backdrop, cutout, overlay] = [0, 1, 2, 3].map((n) => s.event('request', n)) as [
      NostrEvent,
      NostrEvent,
      NostrEvent,
      NostrEvent,
    ];
    const results = [0, 1, 2, 3].map((n) => s.event('result', n));
    const [rSubject, rBackdrop, rCutout, rOverlay] = results as [
      NostrEvent,
      NostrEvent,
      NostrEvent,
      NostrEvent,
    ];
    expect(sorted(s.spans.map(shape))).toEqual(
      sorted([
        jobShape(subject, subject, null, rSubject.created_at),
        jobShape(backdrop, backdrop, null, rBackdrop.created_at),
        jobShape(cutout, subject, subject, rCutout.created_at),
        jobShape(overlay, subject, cutout, rOverlay.created_at),
        // Results with no feedback: each DVM span runs from the request.
        responseShape(subject, subject, [rSubject], subject.created_at, rSubject.created_at),
        responseShape(backdrop, backdrop, [rBackdrop], backdrop.created_at, rBackdrop.created_at),
        responseShape(cutout, subject, [rCutout], cutout.created_at, rCutout.created_at),
        responseShape(overlay, subject, [rOverlay], overlay.created_at, rOverlay.created_at),
      ]),
    );
    expect(jobOf(s.spans, overlay).links).toEqual([
      {
        traceId: backdrop.id.slice(0, 32),
        spanId: backdrop.id.slice(32, 48),
        attributes: { 'dvm.chain.input': backdrop.id },
      },
    ]);
  });

  it('a result that arrives before its request: one ordinary job span once the request lands', async () => {
    const s = await replay('result-before-request');
    const [req, fb, res] = [s.event('request'), s.event('feedback.processing'), s.event('result')];
    expect(sorted(s.spans.map(shape))).toEqual(
      sorted([
        jobShape(req, req, null, res.created_at),
        responseShape(req, req, [fb, res], fb.created_at, res.created_at),
      ]),
    );
    expect(jobOf(s.spans, req).attributes['dvm.job.request_seen']).toBe(true);
  });

  it('payment-required then success: amount and invoice on the event, earned on the DVM span', async () => {
    const s = await replay('payment-then-success');
    const req = s.event('request');
    const ask = s.event('feedback.payment-required');
    const [working, done, res] = [
      s.event('feedback.processing'),
      s.event('feedback.success'),
      s.event('result'),
    ];
    const zap = s.event('zap_receipt.result');
    expect(sorted(s.spans.map(shape))).toEqual(
      sorted([
        jobShape(req, req, null, res.created_at),
        // Same second: feedback is listed before the result.
        responseShape(req, req, [ask, working, done, res], ask.created_at, res.created_at),
        // The customer's zap on the result, after the work: a span of its own under the DVM's span.
        {
          name: 'dvm.zap',
          traceId: req.id.slice(0, 32),
          spanId: zap.id.slice(0, 16),
          parentSpanId: sha16(req.id + res.pubkey),
          start: zap.created_at,
          end: zap.created_at,
          events: [],
        },
      ]),
    );
    expect(s.spans.find((span) => span.name === 'dvm.zap')!.attributes).toMatchObject({
      'nostr.event.id': zap.id,
      'nostr.event.kind': 9735,
      'dvm.job.id': req.id,
      'dvm.pubkey': res.pubkey,
      'dvm.zap.amount_msat': 5_000,
      'dvm.zap.targets': [res.id],
    });
    const invoice = ask.tags.find((t) => t[0] === 'amount')?.[2];
    const response = responseOf(s.spans, req, res.pubkey);
    expect(response.attributes).toMatchObject({
      'dvm.payment.requested_msat': 21_000,
      'dvm.payment.invoice': invoice,
      'dvm.payment.earned_msat': 21_000,
    });
    expect(response.events[0]!.attributes).toMatchObject({
      'dvm.feedback.status': 'payment-required',
      'dvm.payment.amount_msat': 21_000,
      'dvm.payment.amount_tag': '21000',
      'dvm.payment.invoice': invoice,
      'dvm.payment.invoice_msat': 21_000,
    });
  });

  it('an error: error status and error.type on the DVM span and the job span', async () => {
    const s = await replay('error');
    const [req, working, failed] = [
      s.event('request'),
      s.event('feedback.processing'),
      s.event('feedback.error'),
    ];
    expect(sorted(s.spans.map(shape))).toEqual(
      sorted([
        jobShape(req, req, null, failed.created_at),
        responseShape(req, req, [working, failed], working.created_at, failed.created_at),
      ]),
    );
    const job = jobOf(s.spans, req);
    const response = responseOf(s.spans, req, failed.pubkey);
    expect(job.attributes).toMatchObject({ 'dvm.job.outcome': 'error', 'error.type': 'dvm_error' });
    expect(job.status).toEqual({ code: 2, message: 'unsupported language pair' });
    expect(response.attributes).toMatchObject({ 'dvm.response.outcome': 'error', 'error.type': 'dvm_error' });
    expect(response.status).toEqual({ code: 2, message: 'unsupported language pair' });
  });

  it('an expired job: runs to request + expiry, the silent DVM with it', async () => {
    const s = await replay('expired');
    const [req, working] = [s.event('request'), s.event('feedback.processing')];
    const expiry = req.created_at + 3_600;
    expect(sorted(s.spans.map(shape))).toEqual(
      sorted([
        jobShape(req, req, null, expiry),
        responseShape(req, req, [working], working.created_at, expiry),
      ]),
    );
    expect(jobOf(s.spans, req).attributes).toMatchObject({
      'dvm.job.outcome': 'expired',
      'error.type': 'expired',
    });
    expect(jobOf(s.spans, req).status.code).toBe(2);
    expect(responseOf(s.spans, req, working.pubkey).attributes['dvm.response.outcome']).toBe('no_result');
  });

  it('a cancelled job: ends at the cancellation, which is an event on the job span', async () => {
    const s = await replay('cancelled');
    const [req, working, cancel] = [
      s.event('request'),
      s.event('feedback.processing'),
      s.event('cancellation'),
    ];
    expect(sorted(s.spans.map(shape))).toEqual(
      sorted([
        jobShape(req, req, null, cancel.created_at, [`dvm.job.cancelled ${cancel.created_at}  ${cancel.id}`]),
        responseShape(req, req, [working], working.created_at, cancel.created_at),
      ]),
    );
    expect(jobOf(s.spans, req).attributes['dvm.job.outcome']).toBe('cancelled');
  });
});
