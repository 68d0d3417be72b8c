/**
 * A reducer's (or combine task's) cells of a batch view: the value of every (key, bucket)
 * from its events or updates. Parts of a cell from several reducers are summed by a combine
 * task (combine.ts) with the speed layer's monoids (sum for count/sum/counters, union of
 * members for distinct) before the cell is written once (write.ts).
 */
import { bucketOf, type Aggregation, type ViewDef, type ViewUpdate } from '../../views/view.js';

/** A bucket's value: a number (count, sum), distinct members, or named counters. */
export type BatchValue = number | string[] | Record<string, number>;

/**
 * One (key, bucket) of a view. count/sum: the value in `n`. distinct: `n` is the number of
 * distinct members, the first in `one` and, from the second on, all of them in `members` (most
 * cells hold one or two members, and a Set per cell was hundreds of thousands of long-lived
 * objects for the garbage collector to copy). counters: `fields`.
 */
export type Cell = { key: string; bucket: number; n: number; one: string | null; members: Set<string> | null; fields: Record<string, number> | null };

/** A cell as spilled between a reducer and a combine task: view, key, bucket, n, members, fields. */
export type PartialCell = [view: string, key: string, bucket: number, n: number, members: string | string[] | null, fields: Record<string, number> | null];

export function partialOf(view: string, c: Cell): PartialCell {
  return [view, c.key, c.bucket, c.n, c.members !== null ? [...c.members] : c.one, c.fields];
}

/** A distinct cell's members. */
export function membersOf(c: Cell): Iterable<string> {
  return c.members ?? (c.one !== null ? [c.one] : []);
}

function addMember(c: Cell, m: string): void {
  if (c.n === 0) {
    c.one = m;
    c.n = 1;
  } else if (c.members === null) {
    if (m === c.one) return;
    c.members = new Set([c.one!, m]);
    c.n = 2;
  } else {
    c.members.add(m);
    c.n = c.members.size;
  }
}

export class BatchAggregate {
  // Bucket, then key: no joined string id to build and hash per event (it showed in profiles).
  private readonly buckets = new Map<number, Map<string, Cell>>();
  private count = 0;

  constructor(readonly aggregation: Aggregation) {}

  get size(): number {
    return this.count;
  }

  private cell(key: string, bucket: number): Cell {
    let keys = this.buckets.get(bucket);
    if (keys === undefined) this.buckets.set(bucket, (keys = new Map()));
    let c = keys.get(key);
    if (c === undefined) {
      const kind = this.aggregation.kind;
      c = { key, bucket, n: 0, one: null, members: null, fields: kind === 'counters' ? {} : null };
      keys.set(key, c);
      this.count++;
    }
    return c;
  }

  /** Apply one update (as updateOf or a reducer made it). */
  add(u: ViewUpdate): void {
    const c = this.cell(u.key, u.bucket);
    if (this.aggregation.kind === 'distinct') {
      if (u.member !== undefined) addMember(c, u.member);
    } else if (c.fields !== null) {
      for (const [f, n] of Object.entries(u.fields ?? {})) c.fields[f] = (c.fields[f] ?? 0) + n;
    } else c.n += u.n ?? 0;
  }

  /** Add a part of a cell computed elsewhere (its view's monoid: sum, member union, counter sums). */
  addPartial(p: PartialCell): void {
    const c = this.cell(p[1], p[2]);
    const kind = this.aggregation.kind;
    if (kind === 'distinct') {
      const m = p[4];
      if (typeof m === 'string') addMember(c, m);
      else if (m !== null) for (const x of m) addMember(c, x);
    } else if (kind === 'counters') {
      for (const [f, n] of Object.entries(p[5] ?? {})) c.fields![f] = (c.fields![f] ?? 0) + n;
    } else c.n += p[3];
  }

  /**
   * Apply the update `updateOf(view, event)` makes, without building it: the reduce loop's
   * hot path (an update object per event and view was a tenth of the reducers' time, plus
   * its garbage). Must stay equal to updateOf in src/views/view.ts, case by case; the
   * batch-runner tests compare the result with an independent computation.
   */
  addEvent<E>(view: ViewDef<E>, event: E): void {
    const key = view.keyOf(event);
    if (key === null) return;
    const bucket = bucketOf(view, view.timeOf(event));
    const a = view.aggregation;
    switch (a.kind) {
      case 'count':
        this.cell(key, bucket).n += 1;
        return;
      case 'sum': {
        const n = Number((event as Record<string, unknown>)[a.field]);
        if (Number.isFinite(n)) this.cell(key, bucket).n += n;
        return;
      }
      case 'distinct': {
        const m = (event as Record<string, unknown>)[a.field];
        if (m !== undefined && m !== null) addMember(this.cell(key, bucket), String(m));
        return;
      }
      case 'counters':
        return;
    }
  }

  /** Each bucket whose start passes `keep`, with its cells by key (not copied). */
  *bucketsOf(keep: (bucket: number) => boolean): Generator<[bucket: number, cells: ReadonlyMap<string, Cell>]> {
    for (const entry of this.buckets) if (keep(entry[0])) yield entry;
  }

  /** The cells whose bucket passes `keep`, without copying (the writer PFADDs members in chunks). */
  *cellsOf(keep: (bucket: number) => boolean): Generator<Cell> {
    for (const [bucket, keys] of this.buckets) if (keep(bucket)) yield* keys.values();
  }
}
