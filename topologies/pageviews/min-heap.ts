/**
 * A binary min-heap ordered by a numeric priority. The sessionizer keeps one entry per
 * visit extension, ordered by the event time at which the visit may close, so that each
 * `advance` touches only the visits that are due instead of every open visit.
 */
export class MinHeap<T> {
  private readonly prio: number[] = [];
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  /** Smallest priority, or Infinity when empty. */
  peekPriority(): number {
    return this.prio.length > 0 ? this.prio[0]! : Infinity;
  }

  push(priority: number, item: T): void {
    this.prio.push(priority);
    this.items.push(item);
    let i = this.items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.prio[parent]! <= priority) break;
      this.move(parent, i);
      i = parent;
    }
    this.prio[i] = priority;
    this.items[i] = item;
  }

  /** Removes and returns the item of smallest priority; undefined when empty. */
  pop(): T | undefined {
    const n = this.items.length;
    if (n === 0) return undefined;
    const top = this.items[0]!;
    const lastPrio = this.prio.pop()!;
    const lastItem = this.items.pop()!;
    if (n > 1) {
      // Sift the former last entry down from the root.
      let i = 0;
      const size = n - 1;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) break;
        const r = l + 1;
        const c = r < size && this.prio[r]! < this.prio[l]! ? r : l;
        if (this.prio[c]! >= lastPrio) break;
        this.move(c, i);
        i = c;
      }
      this.prio[i] = lastPrio;
      this.items[i] = lastItem;
    }
    return top;
  }

  private move(from: number, to: number): void {
    this.prio[to] = this.prio[from]!;
    this.items[to] = this.items[from]!;
  }
}
