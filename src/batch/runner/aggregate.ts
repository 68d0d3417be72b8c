/**
 * A reducer's (or combine task's) cells of a batch view: the value of every (key, bucket)
 * from its events or updates, each cell its view kind's in-memory accumulator
 * (src/views/kinds/). Parts of a cell from several reducers are merged by a combine task
 * (combine.ts) with the kind's monoid (the speed layer's: sums, member union) before the
 * cell is written once (write.ts, by the kind).
 */
import { bucketOf, type ViewDef, type ViewUpdate } from '../../views/view.js';
import { aggregatorOf, type Aggregator, type Cell, type CellTable } from '../../views/kinds/index.js';

export type { Cell };

/** A cell as spilled between a reducer and a combine task: view, key, bucket, the accumulator packed by its kind. */
export type PartialCell = [view: string, key: string, bucket: number, packed: unknown];

export class BatchAggregate implements CellTable {
  // Bucket, then key: no joined string id to build and hash per event (it showed in profiles).
  private readonly buckets = new Map<number, Map<string, Cell>>();
  private count = 0;
  private lastBucket = NaN;
  private lastKeys: Map<string, Cell> | undefined = undefined;
  /** The view's kind, bound once: the per-event calls below go straight to it. */
  readonly agg: Aggregator;

  constructor(aggregation: { readonly kind: string }) {
    this.agg = aggregatorOf(aggregation);
  }

  get size(): number {
    return this.count;
  }

  /** The cell of (key, bucket), made empty when new. */
  cell(key: string, bucket: number): Cell {
    // A part's events come in time order, so most are in the bucket of the one before.
    let keys = bucket === this.lastBucket ? this.lastKeys : this.buckets.get(bucket);
    if (keys === undefined) this.buckets.set(bucket, (keys = new Map()));
    this.lastBucket = bucket;
    this.lastKeys = keys;
    let c = keys.get(key);
    if (c === undefined) {
      c = { key, bucket, m: this.agg.empty() };
      keys.set(key, c);
      this.count++;
    }
    return c;
  }

  /** Apply one update (as updateOf or a reducer made it); an update without an amount still makes its cell. */
  add(u: ViewUpdate): void {
    const c = this.cell(u.key, u.bucket);
    const x = this.agg.amountOf(u);
    if (x !== undefined) c.m = this.agg.fold(c.m, x);
  }

  /** Add a part of a cell computed elsewhere (its kind's merge). */
  addPartial(p: PartialCell): void {
    const c = this.cell(p[1], p[2]);
    c.m = this.agg.merge(c.m, this.agg.unpack(p[3]));
  }

  /** The cell as a partial for a combine task. */
  partialOf(view: string, c: Cell): PartialCell {
    return [view, c.key, c.bucket, this.agg.pack(c.m)];
  }

  /**
   * Apply what `updateOf(view, event)` would, without building the update: the reduce loop's
   * hot path (an update object per event and view was a tenth of the reducers' time, plus
   * its garbage). The kind folds the event in itself (Aggregator.foldEvent). The
   * batch-runner tests compare the result with an independent computation.
   */
  addEvent<E>(view: ViewDef<E>, event: E): void {
    const key = view.keyOf(event);
    if (key === null) return;
    this.agg.foldEvent(this, key, bucketOf(view, view.timeOf(event)), event);
  }

  /** Each bucket whose start passes `keep`, with its cells by key (not copied). */
  *bucketsOf(keep: (bucket: number) => boolean): Generator<[bucket: number, cells: ReadonlyMap<string, Cell>]> {
    for (const entry of this.buckets) if (keep(entry[0])) yield entry;
  }

  /** The cells whose bucket passes `keep`, without copying. */
  *cellsOf(keep: (bucket: number) => boolean): Generator<Cell> {
    for (const [bucket, keys] of this.buckets) if (keep(bucket)) yield* keys.values();
  }
}
