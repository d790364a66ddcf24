import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JOB_LIMITS } from '../../exporter/jobs/options.js';
import { hex, request, result, T0 } from '../support/dvm-events.js';
import { Harness } from './harness.js';

const [S1, S2, S3] = [hex('step-1'), hex('step-2'), hex('step-3')];

function links(h: Harness) {
  return h.of('chain_linked').map((e) => [e.parentId, e.childId, e.rootId]);
}

describe('job index: chains', () => {
  it('links a three-step chain in order, every step rooted at the first', () => {
    const h = new Harness();
    h.apply(request({ id: S1 }), request({ id: S2, jobInputs: [S1] }), request({ id: S3, jobInputs: [S2] }));
    expect(links(h)).toEqual([
      [S1, S2, S1],
      [S2, S3, S1],
    ]);
    expect([h.job(S1).rootId, h.job(S2).rootId, h.job(S3).rootId]).toEqual([S1, S1, S1]);
    expect(h.job(S3).parentIds).toEqual([S2]);
    expect(h.index.stats().orphans.job_input_unseen).toBe(0);
  });

  it('links a chain that arrives child first, once per edge, and fixes the roots when the parents arrive', () => {
    const h = new Harness();
    h.apply(request({ id: S3, jobInputs: [S2] }));
    expect(h.of('orphan')).toMatchObject([{ reason: 'job_input_unseen' }]);
    h.apply(request({ id: S2, jobInputs: [S1] }));
    expect(h.job(S3).rootId).toBe(S2);
    h.apply(request({ id: S1 }));
    expect(links(h)).toEqual([
      [S2, S3, S2],
      [S1, S2, S1],
    ]);
    expect([h.job(S1).rootId, h.job(S2).rootId, h.job(S3).rootId]).toEqual([S1, S1, S1]);
    expect(h.index.stats().indexSizes.pendingChainParents).toBe(0);
  });

  it('links a step to a parent known only from its result, and re-roots when the parent request arrives', () => {
    const h = new Harness();
    h.apply(request({ id: S3, jobInputs: [S2] }), result({ requestId: S2 }));
    expect(links(h)).toEqual([[S2, S3, S2]]);
    h.apply(request({ id: S1 }), request({ id: S2, jobInputs: [S1] }));
    expect(links(h)).toEqual([
      [S2, S3, S2],
      [S1, S2, S1],
    ]);
    expect(h.job(S3).rootId).toBe(S1);
  });

  it('branches: one job feeding two later jobs roots both at it', () => {
    const h = new Harness();
    const left = hex('left');
    const right = hex('right');
    h.apply(
      request({ id: left, jobInputs: [S1] }),
      request({ id: S1 }),
      request({ id: right, jobInputs: [S1] }),
    );
    expect(links(h)).toEqual([
      [S1, left, S1],
      [S1, right, S1],
    ]);
    expect([h.job(left).rootId, h.job(right).rootId]).toEqual([S1, S1]);
  });

  it('joins: with several job inputs, the first known input in tag order decides the root', () => {
    const h = new Harness();
    const background = hex('background');
    const overlay = hex('overlay');
    const rootOfBackground = hex('bg-root');
    h.apply(request({ id: S1 }), request({ id: overlay, jobInputs: [background, S1] }));
    expect(h.job(overlay).rootId).toBe(S1);
    h.apply(request({ id: background, jobInputs: [rootOfBackground] }));
    expect(h.job(overlay).rootId).toBe(background);
    h.apply(request({ id: rootOfBackground }));
    expect(h.job(overlay).rootId).toBe(rootOfBackground);
    expect(h.job(overlay).parentIds).toEqual([background, S1]);
    expect(links(h)).toEqual([
      [S1, overlay, S1],
      [background, overlay, background],
      [rootOfBackground, background, rootOfBackground],
    ]);
  });

  it('names each unseen job input once as an orphan and forgets waiting links when the child leaves', () => {
    const h = new Harness({ maxJobs: 2 });
    h.apply(request({ id: S3, jobInputs: [S1, S2, S1] }));
    expect(h.index.stats().orphans.job_input_unseen).toBe(2);
    expect(h.index.stats().indexSizes.pendingChainParents).toBe(2);
    h.apply(request({ id: hex('a'), at: T0 }), request({ id: hex('b') }));
    expect(h.index.get(S3)).toBeUndefined();
    expect(h.index.stats().indexSizes.pendingChainParents).toBe(0);
    h.clear().apply(request({ id: S1 }));
    expect(h.of('chain_linked')).toEqual([]);
  });

  it('roots a chain deeper than the cap at the ancestor chainDepth steps up, in any arrival order', () => {
    const cap = JOB_LIMITS.chainDepth;
    const length = cap * 2 + 7;
    const ids = Array.from({ length }, (_, i) => hex(`deep-${i}`));
    const steps = ids.map((id, i) => request({ id, at: T0 + i, jobInputs: i === 0 ? [] : [ids[i - 1]!] }));
    // What the job_roots view computes: the ancestor min(depth, cap) steps up.
    const expected = ids.map((_, i) => ids[Math.max(0, i - cap)]);
    const rootsAfter = (order: readonly number[]) => {
      const h = new Harness();
      for (const i of order) h.apply(steps[i]!);
      return ids.map((id) => h.job(id).rootId);
    };
    const forward = ids.map((_, i) => i);
    expect(rootsAfter(forward)).toEqual(expected);
    expect(rootsAfter([...forward].reverse())).toEqual(expected);
    fc.assert(
      fc.property(fc.shuffledSubarray(forward, { minLength: length, maxLength: length }), (order) => {
        expect(rootsAfter(order)).toEqual(expected);
      }),
      { numRuns: 20 },
    );
  });
});
