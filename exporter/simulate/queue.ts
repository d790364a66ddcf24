import type { SimulatedItem } from './item.js';

/** Something due at a time: an item to hand out, or work that produces more entries when it runs. */
export type Entry =
  | { readonly type: 'item'; readonly item: SimulatedItem }
  | { readonly type: 'task'; readonly run: () => void };

interface Slot {
  readonly at: number;
  readonly seq: number;
  readonly entry: Entry;
}

/**
 * A min-heap by time, ties broken by insertion order, so the output order is fully determined.
 * It holds only what is pending (jobs in flight), which keeps long simulations in bounded memory.
 */
export class Schedule {
  private readonly heap: Slot[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(at: number, entry: Entry): void {
    const heap = this.heap;
    heap.push({ at, seq: this.seq++, entry });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  peekTime(): number | undefined {
    return this.heap[0]?.at;
  }

  pop(): { at: number; entry: Entry } | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (!top) return undefined;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
        if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
        i = smallest;
      }
    }
    return { at: top.at, entry: top.entry };
  }
}

function before(a: Slot, b: Slot): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
