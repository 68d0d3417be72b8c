/**
 * A batch view being computed: the value of every (key, bucket). Reducers build one from
 * updates, the main thread merges the reducers' partial ones; both sides use this class, so
 * the merge is the same monoid as the speed layer's (sum for count/sum/counters, set union
 * for distinct members, which become a HyperLogLog when published).
 */
import type { Aggregation, ViewUpdate } from '../../views/view.js';

/** A bucket's value: a number (count, sum), distinct members, or named counters. */
export type BatchValue = number | string[] | Record<string, number>;

/** One (key, bucket, value): the form partial views cross threads in (structured clone). */
export type BatchEntry = [key: string, bucket: number, value: BatchValue];

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

  /** Merge one entry of a partial view. */
  merge([key, bucket, value]: BatchEntry): void {
    const c = this.cell(key, bucket);
    if (c.members !== null) for (const m of value as string[]) c.members.add(m);
    else if (c.fields !== null) for (const [f, n] of Object.entries(value as Record<string, number>)) c.fields[f] = (c.fields[f] ?? 0) + n;
    else c.n += value as number;
  }

  /** Entries whose bucket passes `keep` (e.g. ends at or before the watermark). */
  *entries(keep: (bucket: number) => boolean = () => true): Generator<BatchEntry> {
    for (const c of this.cells.values()) {
      if (!keep(c.bucket)) continue;
      yield [c.key, c.bucket, c.members !== null ? [...c.members] : c.fields !== null ? c.fields : c.n];
    }
  }

  /** Distinct members of a cell, without copying (publishing PFADDs them in chunks). */
  *cellsOf(keep: (bucket: number) => boolean): Generator<{ key: string; bucket: number; n: number; members: Set<string> | null; fields: Record<string, number> | null }> {
    for (const c of this.cells.values()) if (keep(c.bucket)) yield c;
  }
}

/** The score a batch cell has in its top ZSET: as the speed layer scores it (first counter; distinct: cardinality). */
export function topScore(aggregation: Aggregation, c: { n: number; members: Set<string> | null; fields: Record<string, number> | null }): number {
  if (c.members !== null) return c.members.size;
  if (c.fields !== null) return aggregation.kind === 'counters' ? (c.fields[aggregation.fields[0]!] ?? 0) : 0;
  return c.n;
}
