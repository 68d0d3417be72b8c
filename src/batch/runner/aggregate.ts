/**
 * A reducer's part of a batch view: the value of every (key, bucket) from the updates of its
 * groups. Parts of several reducers are merged in Redis as they are written (write.ts), with
 * the speed layer's monoids (sum for count/sum/counters, HyperLogLog union for distinct).
 */
import type { Aggregation, ViewUpdate } from '../../views/view.js';

/** A bucket's value: a number (count, sum), distinct members, or named counters. */
export type BatchValue = number | string[] | Record<string, number>;

type Cell = { key: string; bucket: number; n: number; members: Set<string> | null; fields: Record<string, number> | null };

export class BatchAggregate {
  private readonly cells = new Map<string, Cell>();

  constructor(readonly aggregation: Aggregation) {}

  get size(): number {
    return this.cells.size;
  }

  private cell(key: string, bucket: number): Cell {
    // Bucket first: a number never contains NUL, so the joined id is unambiguous.
    const id = `${bucket}\u0000${key}`;
    let c = this.cells.get(id);
    if (c === undefined) {
      const kind = this.aggregation.kind;
      c = { key, bucket, n: 0, members: kind === 'distinct' ? new Set() : null, fields: kind === 'counters' ? {} : null };
      this.cells.set(id, c);
    }
    return c;
  }

  /** Apply one update (as updateOf or a reducer made it). */
  add(u: ViewUpdate): void {
    const c = this.cell(u.key, u.bucket);
    if (c.members !== null) {
      if (u.member !== undefined) c.members.add(u.member);
    } else if (c.fields !== null) {
      for (const [f, n] of Object.entries(u.fields ?? {})) c.fields[f] = (c.fields[f] ?? 0) + n;
    } else c.n += u.n ?? 0;
  }

  /** The cells whose bucket passes `keep`, without copying (the writer PFADDs members in chunks). */
  *cellsOf(keep: (bucket: number) => boolean): Generator<{ key: string; bucket: number; n: number; members: Set<string> | null; fields: Record<string, number> | null }> {
    for (const c of this.cells.values()) if (keep(c.bucket)) yield c;
  }
}
