/** Something with at most one pending deadline, which the heap tracks by position. */
export interface Scheduled {
  /** Clock seconds; meaningful while `heapIndex >= 0`. */
  deadline: number;
  /** Position in the heap, -1 when not scheduled. Owned by the heap. */
  heapIndex: number;
  /** Tie-break so that equal deadlines always come out in the same order (creation order). */
  readonly seq: number;
}

/**
 * An indexed binary min-heap: each item holds one deadline that can be moved or cancelled in
 * O(log n), so the heap never holds stale entries and its size is the number of scheduled items.
 */
export class DeadlineHeap<T extends Scheduled> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  /** Schedules the item, or moves its existing deadline. */
  schedule(item: T, deadline: number): void {
    if (item.heapIndex < 0) {
      item.deadline = deadline;
      item.heapIndex = this.items.length;
      this.items.push(item);
      this.up(item.heapIndex);
      return;
    }
    const earlier = deadline < item.deadline;
    item.deadline = deadline;
    if (earlier) this.up(item.heapIndex);
    else this.down(item.heapIndex);
  }

  remove(item: T): void {
    const index = item.heapIndex;
    if (index < 0) return;
    const last = this.items.pop()!;
    item.heapIndex = -1;
    if (last === item) return;
    this.items[index] = last;
    last.heapIndex = index;
    this.up(index);
    this.down(last.heapIndex);
  }

  pop(): T | undefined {
    const top = this.items[0];
    if (top) this.remove(top);
    return top;
  }

  private before(a: T, b: T): boolean {
    return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
  }

  private up(index: number): void {
    const items = this.items;
    const item = items[index]!;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = items[parentIndex]!;
      if (!this.before(item, parent)) break;
      items[index] = parent;
      parent.heapIndex = index;
      index = parentIndex;
    }
    items[index] = item;
    item.heapIndex = index;
  }

  private down(index: number): void {
    const items = this.items;
    const length = items.length;
    const item = items[index]!;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      if (right < length && this.before(items[right]!, items[left]!)) child = right;
      const candidate = items[child]!;
      if (!this.before(candidate, item)) break;
      items[index] = candidate;
      candidate.heapIndex = index;
      index = child;
    }
    items[index] = item;
    item.heapIndex = index;
  }
}
