/**
 * Realtime views in process memory, for runs without Redis. Same semantics as the Redis
 * store (per-bucket values, top keys per bucket, keys index, late counter, TTLs, exactly-once
 * ids per bucket), with one difference said out loud: a distinct view keeps its exact
 * members instead of a HyperLogLog, so its counts are exact and its memory grows with them.
 * A cell holds its view kind's in-memory accumulator (src/views/kinds/), folded and merged
 * by the kind. Each worker thread has its own store: a snapshot lets a reporter merge them
 * at the end.
 */
import type { ViewUpdate } from '../views/view.js';
import { aggregatorOf, type Aggregator } from '../views/kinds/index.js';
import { expiryOf, viewIndex, type ApplyResult, type StoreView, type TopEntry, type ViewStore, type ViewValues } from './store.js';

interface Cell {
  /** The kind's accumulator. */
  value: unknown;
  ids: Set<string> | null;
  expireAt: number;
}

interface ViewState {
  readonly cells: Map<string, Cell>;
  readonly top: Map<number, Map<string, number>>;
  /** key -> latest bucket start written. */
  readonly index: Map<string, number>;
  late: number;
  readonly agg: Aggregator;
}

/** Plain-data copy of a store (survives msgpack between threads; cells packed by their kind); see `snapshot` and `merge`. */
export type MemorySnapshot = Record<string, { cells: Array<[string, number, unknown, number]>; late: number }>;

const cellId = (bucket: number, key: string): string => `${bucket}\u0000${key}`;

/** In-process view store (see the file comment for how it differs from Redis). */
export class MemoryViewStore implements ViewStore {
  readonly kind = 'memory' as const;
  private readonly views = new Map<string, ViewState>();

  constructor(private readonly now: () => number = Date.now) {}

  private state(view: StoreView): ViewState {
    const id = `${view.name}:v${view.version}`;
    let s = this.views.get(id);
    if (s === undefined) this.views.set(id, (s = { cells: new Map(), top: new Map(), index: new Map(), late: 0, agg: aggregatorOf(view.aggregation) }));
    return s;
  }

  /** The live cell of (bucket, key), made empty when there is none. */
  private cellOrNew(s: ViewState, view: StoreView, bucket: number, key: string, eo: boolean): Cell {
    let c = this.cell(s, bucket, key);
    if (c === undefined) {
      c = { value: s.agg.empty(), ids: eo ? new Set() : null, expireAt: expiryOf(view, bucket, this.now()) };
      s.cells.set(cellId(bucket, key), c);
    }
    return c;
  }

  /** After a cell changed: its top score is its value's (as Redis sets it), and the key's index entry. */
  private touched(s: ViewState, c: Cell, bucket: number, key: string): void {
    let top = s.top.get(bucket);
    if (top === undefined) s.top.set(bucket, (top = new Map()));
    top.set(key, s.agg.score(c.value));
    s.index.set(key, Math.max(s.index.get(key) ?? -Infinity, bucket));
  }

  /** The live cell of (bucket, key); an expired one is dropped, as Redis would. */
  private cell(s: ViewState, bucket: number, key: string): Cell | undefined {
    const c = s.cells.get(cellId(bucket, key));
    if (c !== undefined && c.expireAt <= this.now()) {
      s.cells.delete(cellId(bucket, key));
      s.top.get(bucket)?.delete(key);
      return undefined;
    }
    return c;
  }

  async apply(updates: readonly ViewUpdate[], views: readonly StoreView[], late: Readonly<Record<string, number>> = {}): Promise<ApplyResult> {
    const byName = viewIndex(updates, views);
    // Each view's state once per apply, not per update (its id is a string built per lookup).
    const states = new Map<StoreView, ViewState>();
    let skipped = 0;
    for (const u of updates) {
      const view = byName.get(u.view)!;
      let s = states.get(view);
      if (s === undefined) states.set(view, (s = this.state(view)));
      const agg = s.agg;
      const eo = view.exactlyOnce && !agg.idempotent;
      if (eo && u.id === undefined) throw new Error(`view '${view.name}' is exactly-once: update for key '${u.key}' has no event id`);
      const c = this.cellOrNew(s, view, u.bucket, u.key, eo);
      if (eo) {
        // Updates are applied one by one, so a copy of an id within the same flush is skipped
        // here just like one in a later flush: the first copy wins, as in Redis.
        if (c.ids!.has(u.id!)) {
          skipped++;
          continue;
        }
        c.ids!.add(u.id!);
      }
      const x = agg.amountOf(u);
      if (x === undefined) continue;
      c.value = agg.fold(c.value, x);
      this.touched(s, c, u.bucket, u.key);
    }
    for (const [name, n] of Object.entries(late)) {
      const view = byName.get(name);
      if (view !== undefined) this.state(view).late += n;
    }
    return { applied: updates.length - skipped, skipped };
  }

  async values(view: StoreView, key: string, buckets: readonly number[]): Promise<ViewValues> {
    const s = this.state(view);
    const agg = s.agg;
    // The range merged by the kind's monoid into a fresh cell (distinct: the union of members).
    let range = agg.empty();
    const out = buckets.map((bucket) => {
      const c = this.cell(s, bucket, key);
      if (c === undefined) return { bucket, value: agg.value(agg.empty()) };
      range = agg.merge(range, c.value);
      return { bucket, value: agg.value(c.value) };
    });
    return { buckets: out, total: agg.value(range) };
  }

  async top(view: StoreView, buckets: readonly number[], n: number): Promise<TopEntry[]> {
    const s = this.state(view);
    const sums = new Map<string, number>();
    for (const b of buckets) {
      for (const [key] of s.top.get(b) ?? []) {
        if (this.cell(s, b, key) === undefined) continue;
        sums.set(key, (sums.get(key) ?? 0) + s.top.get(b)!.get(key)!);
      }
    }
    return best(sums, n);
  }

  /** The `n` highest-scoring keys over every live bucket: what a run without Redis prints at its end. */
  topEntries(view: StoreView, n: number): TopEntry[] {
    const s = this.state(view);
    const sums = new Map<string, number>();
    for (const [b, scores] of s.top) {
      for (const [key, score] of scores) if (this.cell(s, b, key) !== undefined) sums.set(key, (sums.get(key) ?? 0) + score);
    }
    return best(sums, n);
  }

  async keys(view: StoreView): Promise<string[]> {
    return [...this.state(view).index].sort((a, b) => b[1] - a[1]).map(([k]) => k);
  }

  async late(view: StoreView): Promise<number> {
    return this.state(view).late;
  }

  async close(): Promise<void> {}

  /** Every live cell as plain data (packed by its kind: members of distinct views as arrays). */
  snapshot(): MemorySnapshot {
    const out: MemorySnapshot = {};
    for (const [id, s] of this.views) {
      const cells: Array<[string, number, unknown, number]> = [];
      for (const [cid, c] of s.cells) {
        const [b, key] = [Number(cid.slice(0, cid.indexOf('\u0000'))), cid.slice(cid.indexOf('\u0000') + 1)];
        if (c.expireAt > this.now()) cells.push([key, b, s.agg.pack(c.value), c.expireAt]);
      }
      out[id] = { cells, late: s.late };
    }
    return out;
  }

  /**
   * Add another store's snapshot into this one (threads' stores hold disjoint events, so
   * values add and distinct members unite). Exactly-once ids are not carried.
   */
  merge(snap: MemorySnapshot, views: readonly StoreView[]): void {
    for (const view of views) {
      const part = snap[`${view.name}:v${view.version}`];
      if (part === undefined) continue;
      const s = this.state(view);
      for (const [key, bucket, packed] of part.cells) {
        const c = this.cellOrNew(s, view, bucket, key, false);
        c.value = s.agg.merge(c.value, s.agg.unpack(packed));
        this.touched(s, c, bucket, key);
      }
      s.late += part.late;
    }
  }
}

function best(sums: ReadonlyMap<string, number>, n: number): TopEntry[] {
  return [...sums].map(([key, score]) => ({ key, score })).sort((a, b) => b.score - a.score || (a.key < b.key ? -1 : 1)).slice(0, Math.max(0, n));
}
