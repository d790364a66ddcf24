import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeadlineHeap, type Scheduled } from '../../exporter/jobs/deadline-heap.js';
import { RecencyMap } from '../../exporter/jobs/recency-map.js';

describe('DeadlineHeap', () => {
  it('pops items in (deadline, seq) order after any mix of schedules, moves and removals', () => {
    const op = fc.oneof(
      fc.record({
        op: fc.constant('schedule' as const),
        item: fc.nat(19),
        at: fc.integer({ min: 0, max: 50 }),
      }),
      fc.record({ op: fc.constant('remove' as const), item: fc.nat(19) }),
      fc.record({ op: fc.constant('pop' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const items: Scheduled[] = Array.from({ length: 20 }, (_, seq) => ({
          deadline: 0,
          heapIndex: -1,
          seq,
        }));
        const heap = new DeadlineHeap<Scheduled>();
        const model = new Map<number, number>();
        const modelMin = () =>
          [...model].sort(([sa, da], [sb, db]) => da - db || sa - sb).map(([seq]) => seq)[0] ?? undefined;
        for (const step of ops) {
          if (step.op === 'schedule') {
            heap.schedule(items[step.item]!, step.at);
            model.set(step.item, step.at);
          } else if (step.op === 'remove') {
            heap.remove(items[step.item]!);
            model.delete(step.item);
          } else {
            const expected = modelMin();
            expect(heap.pop()?.seq).toBe(expected);
            if (expected !== undefined) model.delete(expected);
          }
          expect(heap.size).toBe(model.size);
          expect(heap.peek()?.seq).toBe(modelMin());
        }
      }),
    );
  });
});

describe('RecencyMap', () => {
  it('keeps entries by last touch, oldest first', () => {
    const map = new RecencyMap<string>();
    map.set('a', 'A', 1);
    map.set('b', 'B', 2);
    map.set('c', 'C', 3);
    map.touch('a', 4);
    expect(map.oldest()).toMatchObject({ key: 'b', at: 2 });
    map.delete('b');
    expect(map.oldest()).toMatchObject({ key: 'c', value: 'C' });
    map.set('c', 'C2', 5);
    expect(map.oldest()).toMatchObject({ key: 'a', at: 4 });
    expect([...map.values()].sort()).toEqual(['A', 'C2']);
    map.delete('a');
    map.delete('c');
    expect(map.oldest()).toBeUndefined();
    expect(map.size).toBe(0);
  });
});
