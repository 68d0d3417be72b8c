/**
 * Timeouts without timers (Storm's RotatingMap): entries live in the newest of N buckets;
 * each `rotate()` drops the oldest bucket and returns it. With rotations every T/(N-1), an
 * entry expires between T and T*N/(N-1) after its last put.
 */
export class RotatingMap<K, V> {
  private buckets: Map<K, V>[];

  constructor(numBuckets = 3) {
    if (numBuckets < 2) throw new Error('RotatingMap needs at least 2 buckets');
    this.buckets = Array.from({ length: numBuckets }, () => new Map<K, V>());
  }

  get size(): number {
    let n = 0;
    for (const b of this.buckets) n += b.size;
    return n;
  }

  get(key: K): V | undefined {
    // Newest bucket first: most lookups hit recent entries.
    for (const b of this.buckets) {
      const v = b.get(key);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  /** Insert into the newest bucket, removing the key from older ones. */
  put(key: K, value: V): void {
    const bs = this.buckets;
    bs[0]!.set(key, value);
    for (let i = 1; i < bs.length; i++) bs[i]!.delete(key);
  }

  /** Insert a key known to be new (skips the scan of older buckets). */
  putNew(key: K, value: V): void {
    this.buckets[0]!.set(key, value);
  }

  remove(key: K): V | undefined {
    for (const b of this.buckets) {
      const v = b.get(key);
      if (v !== undefined) {
        b.delete(key);
        return v;
      }
    }
    return undefined;
  }

  /** Move an existing entry to the newest bucket (a timeout reset). */
  touch(key: K): boolean {
    const v = this.remove(key);
    if (v === undefined) return false;
    this.buckets[0]!.set(key, v);
    return true;
  }

  /** Drop and return the oldest bucket. */
  rotate(): Map<K, V> {
    const dead = this.buckets.pop()!;
    this.buckets.unshift(new Map());
    return dead;
  }

  forEach(fn: (key: K, value: V) => void): void {
    for (const b of this.buckets) for (const [k, v] of b) fn(k, v);
  }

  clear(): void {
    for (const b of this.buckets) b.clear();
  }
}
