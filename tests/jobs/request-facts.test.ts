import { describe, expect, it } from 'vitest';
import { Interner, OUTPUT_KEPT_CHARS, requestFactsOf } from '../../exporter/jobs/request-facts.js';
import { hex, key, request, T0 } from '../support/dvm-events.js';
import { Harness } from './harness.js';

const REQ = hex('req-facts');
const A = key('dvm-a');

describe('what a job keeps of its request', () => {
  it('keeps the facts the sinks read and none of the event', () => {
    const h = new Harness();
    const sent = {
      ...request({ id: REQ, kind: 5300, at: T0, targets: [A], encryption: 'nip44' }),
      output: 'text/plain',
      bidMsat: 21_000,
      testKey: true,
    };
    h.apply(sent);
    const job = h.job(REQ);
    expect(job.request).toEqual({
      kind: 5300,
      pubkey: key('customer'),
      createdAt: T0,
      encryption: 'nip44',
      targets: [A],
      bidMsat: 21_000,
      inputCount: 0,
      output: 'text/plain',
      testKey: true,
    });
    expect(Object.values(job.request ?? {})).not.toContain(sent.event);
    // The domain event still carries the whole request for the sinks that read it once.
    expect(h.of('job_requested')[0]?.request).toBe(sent);
  });

  it('cuts a hostile output tag', () => {
    const strings = new Interner(16);
    // Sharing strings is not observable from JavaScript: the bench's bytes per open job measures it.
    const long = requestFactsOf({ ...request(), output: 'x'.repeat(10_000) }, strings);
    expect(long.output).toBe('x'.repeat(OUTPUT_KEPT_CHARS));
  });

  it('keeps working past the interner capacity', () => {
    const strings = new Interner(2);
    const values = ['p1', 'p2', 'p3', 'p1'].map((value) => strings.intern(value));
    expect(values).toEqual(['p1', 'p2', 'p3', 'p1']);
  });
});
