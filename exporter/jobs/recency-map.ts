interface Node<V> {
  readonly key: string;
  value: V;
  /** When the entry was last touched (clock seconds). */
  at: number;
  prev: Node<V> | null;
  next: Node<V> | null;
}

/**
 * A map that also keeps its entries in order of last touch, so the least recently touched entry is
 * found in O(1). Backed by an intrusive doubly linked list rather than Map iteration order, because
 * repeatedly iterating a Map from the front after many deletions walks over the deleted slots.
 */
export class RecencyMap<V> {
  private readonly nodes = new Map<string, Node<V>>();
  private oldestNode: Node<V> | null = null;
  private newestNode: Node<V> | null = null;

  get size(): number {
    return this.nodes.size;
  }

  get(key: string): V | undefined {
    return this.nodes.get(key)?.value;
  }

  has(key: string): boolean {
    return this.nodes.has(key);
  }

  /** Inserts or replaces, making the entry the newest. */
  set(key: string, value: V, at: number): void {
    const existing = this.nodes.get(key);
    if (existing) {
      existing.value = value;
      this.moveToNewest(existing, at);
      return;
    }
    const node: Node<V> = { key, value, at, prev: this.newestNode, next: null };
    if (this.newestNode) this.newestNode.next = node;
    else this.oldestNode = node;
    this.newestNode = node;
    this.nodes.set(key, node);
  }

  /** Marks the entry as active at `at`, making it the newest. */
  touch(key: string, at: number): void {
    const node = this.nodes.get(key);
    if (node) this.moveToNewest(node, at);
  }

  delete(key: string): V | undefined {
    const node = this.nodes.get(key);
    if (!node) return undefined;
    this.nodes.delete(key);
    this.unlink(node);
    return node.value;
  }

  /** The least recently touched entry. */
  oldest(): { readonly key: string; readonly value: V; readonly at: number } | undefined {
    return this.oldestNode ?? undefined;
  }

  *values(): IterableIterator<V> {
    for (const node of this.nodes.values()) yield node.value;
  }

  private moveToNewest(node: Node<V>, at: number): void {
    node.at = at;
    if (node === this.newestNode) return;
    this.unlink(node);
    node.prev = this.newestNode;
    node.next = null;
    if (this.newestNode) this.newestNode.next = node;
    else this.oldestNode = node;
    this.newestNode = node;
  }

  private unlink(node: Node<V>): void {
    if (node.prev) node.prev.next = node.next;
    else this.oldestNode = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.newestNode = node.prev;
    node.prev = null;
    node.next = null;
  }
}
