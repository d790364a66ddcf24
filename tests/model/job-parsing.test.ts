import * as nip04 from 'nostr-tools/nip04';
import * as nip44 from 'nostr-tools/nip44';
import { getPublicKey } from 'nostr-tools/pure';
import { describe, expect, it } from 'vitest';
import { classify } from '../../exporter/model/classify.js';
import type { DvmEvent, JobFeedback, JobRequest, JobResult, Role } from '../../exporter/model/dvm-event.js';
import { detectEncryption } from '../../exporter/model/encryption.js';
import { CUSTOMER_KEY, DVM_KEY, draft, ID_A, ID_B, PK_C, type Template } from './support.js';

function as<R extends Role>(
  role: R,
  template: Template & { pubkey?: string },
): Extract<DvmEvent, { role: R }> {
  const result = classify(draft(template));
  if (!result.ok || result.event.role !== role)
    throw new Error(`expected ${role}: ${JSON.stringify(result)}`);
  return result.event as Extract<DvmEvent, { role: R }>;
}
const request = (t: Template & { pubkey?: string }): JobRequest => as('request', { ...t, kind: t.kind });
const result = (tags: string[][], content = ''): JobResult => as('result', { kind: 6300, tags, content });
const feedback = (tags: string[][], content = ''): JobFeedback =>
  as('feedback', { kind: 7000, tags, content });

const DVM_PUBKEY = getPublicKey(DVM_KEY);
const NIP04_CIPHERTEXT = nip04.encrypt(CUSTOMER_KEY, DVM_PUBKEY, '[["i","secret","text"]]');
const NIP44_CIPHERTEXT = nip44.v2.encrypt(
  '[["i","secret","text"],["param","model","x"]]',
  nip44.v2.utils.getConversationKey(CUSTOMER_KEY, DVM_PUBKEY),
);

describe('job requests', () => {
  it('reads inputs of every type, with the type, relay and marker missing or present', () => {
    const req = request({
      kind: 5102,
      tags: [
        ['i', 'https://x/a.png', 'url'],
        ['i', ID_A, 'event', 'relay.fanfares.io'],
        ['i', ID_B, 'job', '', 'background'],
        ['i', 'a cat', 'prompt'],
        ['i', 'alice@example.com'],
        ['i', 'x', '', '', ''],
        ['i'],
      ],
    });
    expect(req.inputs).toEqual([
      { data: 'https://x/a.png', type: 'url', relay: null, marker: null },
      { data: ID_A, type: 'event', relay: 'relay.fanfares.io', marker: null },
      { data: ID_B, type: 'job', relay: null, marker: 'background' },
      { data: 'a cat', type: 'prompt', relay: null, marker: null },
      { data: 'alice@example.com', type: null, relay: null, marker: null },
      { data: 'x', type: null, relay: null, marker: null },
    ]);
  });

  it('takes every job input as a chain link, once, and only when it is an event id', () => {
    const req = request({
      kind: 5102,
      tags: [
        ['i', ID_A, 'job', 'wss://r', 'background'],
        ['i', ID_B.toUpperCase(), 'job'],
        ['i', ID_A, 'job'],
        ['i', 'not-an-id', 'job'],
        ['i', ID_B, 'event'],
      ],
    });
    expect(req.jobInputs).toEqual([ID_A, ID_B]);
  });

  it('reads targets, params, output, bid and relays', () => {
    const req = request({
      kind: 5300,
      tags: [
        ['p', PK_C],
        ['p', 'npub1notahexkey'],
        ['p', PK_C],
        ['param', 'range', '0', '10'],
        ['param', 'max_results', '20'],
        ['param'],
        ['output', 'text/plain'],
        ['output', 'image/png'],
        ['bid', '50000'],
        ['relays', 'wss://a', 'wss://b', ''],
        ['relays', 'wss://b', ' wss://c '],
        ['wss://unnamed', 'wss://a'],
      ],
    });
    expect(req.targets).toEqual([PK_C]);
    expect(req.params).toEqual([
      { name: 'range', values: ['0', '10'] },
      { name: 'max_results', values: ['20'] },
    ]);
    expect(req.output).toBe('text/plain');
    expect(req.bidMsat).toBe(50000);
    expect(req.relays).toEqual(['wss://a', 'wss://b', 'wss://c', 'wss://unnamed']);
    expect(req.kind).toBe(5300);
  });

  it('has empty lists and nulls for a request without tags', () => {
    expect(request({ kind: 5313 })).toMatchObject({
      inputs: [],
      jobInputs: [],
      targets: [],
      params: [],
      output: null,
      bidMsat: null,
      relays: [],
      encryption: 'none',
      testKey: false,
    });
  });

  it.each(['100_000', 'lots', '-1', ''])('has no bid for %j', (bid) => {
    expect(request({ kind: 5300, tags: [['bid', bid]] }).bidMsat).toBeNull();
  });

  it('marks requests signed with the generator-point test key', () => {
    const testPubkey = '79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798';
    expect(request({ kind: 5313, pubkey: testPubkey }).testKey).toBe(true);
    expect(request({ kind: 5313, pubkey: PK_C }).testKey).toBe(false);
  });

  it('tells NIP-04 from NIP-44 encrypted params', () => {
    const tags = [['p', DVM_PUBKEY], ['encrypted']];
    expect(request({ kind: 5050, tags, content: NIP04_CIPHERTEXT }).encryption).toBe('nip04');
    expect(request({ kind: 5050, tags, content: NIP44_CIPHERTEXT }).encryption).toBe('nip44');
    expect(request({ kind: 5050, tags, content: '' }).encryption).toBe('unknown');
    expect(request({ kind: 5050, tags: [['p', DVM_PUBKEY]], content: NIP44_CIPHERTEXT }).encryption).toBe(
      'none',
    );
  });
});

describe('encryption detection', () => {
  const encrypted = [['encrypted']];
  it.each<[string, string, string]>([
    ['real NIP-04', NIP04_CIPHERTEXT, 'nip04'],
    ['real NIP-44 v2', NIP44_CIPHERTEXT, 'nip44'],
    ['NIP-44 with a different version byte', `B${NIP44_CIPHERTEXT.slice(1)}`, 'unknown'],
    ['NIP-44 cut short', NIP44_CIPHERTEXT.slice(0, 128), 'unknown'],
    ['NIP-44 with a non-base64 character', `${NIP44_CIPHERTEXT.slice(0, -4)}!!!!`, 'unknown'],
    ['plain text', 'please translate this', 'unknown'],
    ['a JSON tag list', '[["i","x","text"]]', 'unknown'],
  ])('%s under an encrypted tag -> %s', (_name, content, expected) => {
    expect(detectEncryption(encrypted, content)).toBe(expected);
  });

  it('is none without the encrypted tag, whatever the content', () => {
    expect(detectEncryption([['p', PK_C]], NIP04_CIPHERTEXT)).toBe('none');
    expect(detectEncryption([], NIP44_CIPHERTEXT)).toBe('none');
  });
});

describe('results and feedback: linking to the request', () => {
  it.each<[string, string[][], string | null]>([
    [
      'the first e tag',
      [
        ['e', ID_A],
        ['e', ID_B],
      ],
      ID_A,
    ],
    [
      'the e tag marked job, wherever it is',
      [
        ['e', ID_A, 'wss://r'],
        ['e', ID_B, 'wss://r', 'job'],
      ],
      ID_B,
    ],
    [
      'a job-marked e tag with an empty relay hint',
      [
        ['e', ID_A],
        ['e', ID_B, '', 'job'],
      ],
      ID_B,
    ],
    ['an upper-case id, lower-cased', [['e', ID_A.toUpperCase()]], ID_A],
    [
      'past an e tag that is not an id',
      [
        ['e', 'nope'],
        ['e', ID_B],
      ],
      ID_B,
    ],
    ['nothing when no e tag is an id', [['e', 'nope'], ['e']], null],
    ['nothing without e tags', [['p', PK_C]], null],
  ])('links by %s', (_name, tags, expected) => {
    expect(result(tags).requestId).toBe(expected);
    expect(feedback(tags).requestId).toBe(expected);
  });

  it('never links by the request tag, even when it holds a valid request', () => {
    const embedded = JSON.stringify({ id: ID_A, kind: 5300, tags: [], content: '' });
    expect(result([['request', embedded]]).requestId).toBeNull();
    expect(
      result([
        ['request', embedded],
        ['e', ID_B],
      ]).requestId,
    ).toBe(ID_B);
  });

  it('reads the customer from p, the request kind from the kind, and the amount tag', () => {
    const res = result([
      ['e', ID_A],
      ['p', PK_C],
      ['amount', '21000'],
    ]);
    expect(res).toMatchObject({ customer: PK_C, requestKind: 5300, amount: { tagMsat: 21000, issues: [] } });
    expect(result([['e', ID_A]])).toMatchObject({ customer: null, amount: null, encryption: 'none' });
  });

  it('detects encrypted results', () => {
    expect(result([['e', ID_A], ['encrypted']], NIP44_CIPHERTEXT).encryption).toBe('nip44');
  });
});

describe('feedback status', () => {
  it.each<[string, string, string | null]>([
    ['payment-required', 'payment-required', 'payment-required'],
    ['payment_required', 'payment-required', 'payment_required'],
    ['Processing', 'processing', 'Processing'],
    [' success ', 'success', ' success '],
    ['failure', 'error', 'failure'],
    ['error', 'error', 'error'],
    ['partial', 'partial', 'partial'],
    ['chain-scheduled', 'chain-scheduled', 'chain-scheduled'],
    ['user_blocked_from_service', 'user-blocked-from-service', 'user_blocked_from_service'],
    ['pong', 'pong', 'pong'],
    ['done!', 'other', 'done!'],
    ['unknown', 'other', 'unknown'],
    ['encrypted', 'other', 'encrypted'],
  ])('status tag %j -> %s', (raw, status, rawStatus) => {
    expect(feedback([['status', raw]])).toMatchObject({ status, rawStatus });
  });

  it('is unknown with no status tag, encrypted with no status tag on encrypted feedback', () => {
    expect(feedback([['e', ID_A]])).toMatchObject({ status: 'unknown', rawStatus: null });
    expect(feedback([['e', ID_A], ['encrypted']], NIP44_CIPHERTEXT)).toMatchObject({
      status: 'encrypted',
      rawStatus: null,
      encryption: 'nip44',
      statusText: null,
    });
  });

  it('treats an empty status value like a missing one, keeping what was written', () => {
    expect(feedback([['status', '']])).toMatchObject({ status: 'unknown', rawStatus: '' });
    expect(feedback([['status']])).toMatchObject({ status: 'unknown', rawStatus: null });
  });

  it('takes the human text from the content, else from the status tag', () => {
    expect(feedback([['status', 'error', 'tag text']], 'content text').statusText).toBe('content text');
    expect(feedback([['status', 'error', 'tag text']]).statusText).toBe('tag text');
    expect(feedback([['status', 'success', '']]).statusText).toBeNull();
    expect(feedback([['status', 'success']]).statusText).toBeNull();
  });

  it('reads the payment request of payment-required feedback', () => {
    const fb = feedback([
      ['status', 'payment-required'],
      ['e', ID_A],
      ['p', PK_C],
      ['amount', '100_000', 'botlab@zeuspay.com'],
    ]);
    expect(fb.amount).toMatchObject({
      raw: '100_000',
      tagMsat: null,
      issues: ['unparsable_amount', 'bad_invoice'],
    });
  });
});
