import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chainLinkSpanIdFor,
  eventSpanIdFor,
  jobSpanIdFor,
  jobTraceContext,
  responseSpanIdFor,
  traceIdFor,
} from '../../exporter/jobs/trace-ids.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);

describe('trace and span ids from event ids', () => {
  it('a trace id is the first 32 hex of the root request id, so anyone can compute it', () => {
    const root = 'b27502be0e77fe9e112119bdf31b01f2680b1c568f4a111f67c99ac8f7eaedb4';
    expect(traceIdFor(root)).toBe('b27502be0e77fe9e112119bdf31b01f2');
    expect(jobSpanIdFor(root)).toBe('680b1c568f4a111f');
    expect(jobTraceContext(root, root)).toEqual({
      traceId: 'b27502be0e77fe9e112119bdf31b01f2',
      spanId: '680b1c568f4a111f',
    });
  });

  it('derives every id from the documented slices and hashes', () => {
    fc.assert(
      fc.property(hex64, hex64, hex64, (job, dvm, other) => {
        expect(traceIdFor(job)).toBe(job.slice(0, 32));
        expect(jobSpanIdFor(job)).toBe(job.slice(32, 48));
        expect(eventSpanIdFor(job)).toBe(job.slice(0, 16));
        expect(responseSpanIdFor(job, dvm)).toBe(sha(job + dvm).slice(0, 16));
        expect(chainLinkSpanIdFor(job, other)).toBe(sha(`chain:${job}${other}`).slice(0, 16));
      }),
    );
  });

  it('reads upper-case ids as the same event', () => {
    const id = sha('upper');
    const dvm = sha('dvm');
    expect(traceIdFor(id.toUpperCase())).toBe(id.slice(0, 32));
    expect(responseSpanIdFor(id.toUpperCase(), dvm.toUpperCase())).toBe(sha(id + dvm).slice(0, 16));
  });

  it('still gives valid (non-zero, right-length hex) ids for ids that are not 64 hex or are all zero', () => {
    for (const id of ['', 'not-an-id', '0'.repeat(64), `${'0'.repeat(48)}${'f'.repeat(16)}`]) {
      expect(traceIdFor(id)).toMatch(/^[0-9a-f]{32}$/);
      expect(traceIdFor(id)).not.toMatch(/^0+$/);
      expect(jobSpanIdFor(id)).toMatch(/^[0-9a-f]{16}$/);
      expect(jobSpanIdFor(id)).not.toMatch(/^0+$/);
      expect(eventSpanIdFor(id)).not.toMatch(/^0+$/);
    }
    // What is not 64 hex is hashed first; an all-zero slice is re-hashed with its role as the seed.
    expect(traceIdFor('not-an-id')).toBe(sha('not-an-id').slice(0, 32));
    expect(traceIdFor('0'.repeat(64))).toBe(sha(`trace:${'0'.repeat(64)}`).slice(0, 32));
    expect(traceIdFor('not-an-id')).not.toBe(traceIdFor('not-an-id2'));
  });
});
