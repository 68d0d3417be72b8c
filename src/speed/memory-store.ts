/**
 * Realtime views in process memory, for runs without Redis. Same semantics as the Redis
 * store (per-bucket values, top keys per bucket, keys index, late counter, TTLs, exactly-once
 * ids per bucket), with one difference said out loud: a distinct view keeps an exact Set of
 * members instead of a HyperLogLog, so its counts are exact and its memory grows with them.
 * Each worker thread has its own store: a snapshot lets a reporter merge them at the end.
 */
import type { ViewUpdate } from '../views/view.js';
import { addValues, expiryOf, topScoreOf, viewIndex, zeroValue, type ApplyResult, type StoreView, type TopEntry, type ViewStore, type ViewValue, type ViewValues } from './store.js';

interface Cell {
  value: number | Set<string> | Record<string, number>;
  ids: Set<string> | null;
  expireAt: number;
}

interface ViewState {
  readonly cells: Map<string, Cell>;
  readonly top: Map<number, Map<string, number>>;
  /** key -> latest bucket start written. */
  readonly index: Map<string, number>;
  late: number;
}

/** Plain-data copy of a store (survives msgpack between threads); see `snapshot` and `merge`. */
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
    if (s === undefined) this.views.set(id, (s = { cells: new Map(), top: new Map(), index: new Map(), late: 0 }));
    return s;
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
    let skipped = 0;
    for (const u of updates) {
      const view = byName.get(u.view)!;
      const s = this.state(view);
      const kind = view.aggregation.kind;
      const eo = view.exactlyOnce && kind !== 'distinct';
      if (eo && u.id === undefined) throw new Error(`view '${view.name}' is exactly-once: update for key '${u.key}' has no event id`);
      let c = this.cell(s, u.bucket, u.key);
      if (c === undefined) {
        const value = kind === 'distinct' ? new Set<string>() : kind === 'counters' ? {} : 0;
        c = { value, ids: eo ? new Set() : null, expireAt: expiryOf(view, u.bucket, this.now()) };
        s.cells.set(cellId(u.bucket, u.key), c);
      }
      if (eo) {
        // Updates are applied one by one, so a copy of an id within the same flush is skipped
        // here just like one in a later flush: the first copy wins, as in Redis.
        if (c.ids!.has(u.id!)) {
          skipped++;
          continue;
        }
        c.ids!.add(u.id!);
      }
      let top = s.top.get(u.bucket);
      if (top === undefined) s.top.set(u.bucket, (top = new Map()));
      if (kind === 'distinct') {
        if (u.member === undefined) continue;
        (c.value as Set<string>).add(u.member);
        top.set(u.key, (c.value as Set<string>).size);
      } else {
        c.value = kind === 'counters' ? addValues(c.value as Record<string, number>, u.fields ?? {}) : (c.value as number) + (u.n ?? 0);
        top.set(u.key, (top.get(u.key) ?? 0) + topScoreOf(view, u));
      }
      s.index.set(u.key, Math.max(s.index.get(u.key) ?? -Infinity, u.bucket));
    }
    for (const [name, n] of Object.entries(late)) {
      const view = byName.get(name);
      if (view !== undefined) this.state(view).late += n;
    }
    return { applied: updates.length - skipped, skipped };
  }

  async values(view: StoreView, key: string, buckets: readonly number[]): Promise<ViewValues> {
    const s = this.state(view);
    const kind = view.aggregation.kind;
    const union = new Set<string>();
    let total: ViewValue = zeroValue(view);
    const out = buckets.map((bucket) => {
      const c = this.cell(s, bucket, key);
      let value: ViewValue = zeroValue(view);
      if (c !== undefined && kind === 'distinct') {
        for (const m of c.value as Set<string>) union.add(m);
        value = (c.value as Set<string>).size;
      } else if (c !== undefined) value = addValues(value, c.value as number | Record<string, number>);
      if (kind !== 'distinct') total = addValues(total, value);
      return { bucket, value };
    });
    return { buckets: out, total: kind === 'distinct' ? union.size : total };
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

  /** Every live cell as plain data (members of distinct views as arrays). */
  snapshot(): MemorySnapshot {
    const out: MemorySnapshot = {};
    for (const [id, s] of this.views) {
      const cells: Array<[string, number, unknown, number]> = [];
      for (const [cid, c] of s.cells) {
        const [b, key] = [Number(cid.slice(0, cid.indexOf('\u0000'))), cid.slice(cid.indexOf('\u0000') + 1)];
        if (c.expireAt > this.now()) cells.push([key, b, c.value instanceof Set ? [...c.value] : c.value, c.expireAt]);
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
      const updates: ViewUpdate[] = [];
      for (const [key, bucket, value] of part.cells) {
        if (Array.isArray(value)) for (const member of value as string[]) updates.push({ view: view.name, key, bucket, member });
        else if (typeof value === 'number') updates.push({ view: view.name, key, bucket, n: value });
        else updates.push({ view: view.name, key, bucket, fields: value as Record<string, number> });
      }
      void this.apply(updates, [{ ...view, exactlyOnce: false }], { [view.name]: part.late });
    }
  }
}

function best(sums: ReadonlyMap<string, number>, n: number): TopEntry[] {
  return [...sums].map(([key, score]) => ({ key, score })).sort((a, b) => b.score - a.score || (a.key < b.key ? -1 : 1)).slice(0, Math.max(0, n));
}
