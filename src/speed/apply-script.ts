/**
 * How a flush becomes the records of the Lua script that applies it (apply-lua.ts): the
 * record format, and the encoder.
 *
 * Why scripts: a script runs atomically, so an event's exactly-once check and its increments
 * can never be separated by a crash or a concurrent writer. Both live in one slot: a count or
 * sum cell and its bucket's id set in `{<view>}`, a cell with a key of its own and its id set
 * in `{<view>:<key>}` (src/views/keys.ts), so that holds on a Redis Cluster too.
 *
 * The records (msgpack arrays, one value decoded by the script):
 *
 *   [kind, mode, at, tk, bidx, bucket, ids, head, tail, arg, cells]   (at, bucket: strings)
 *        the cells of one (view, bucket) (on a cluster: and one slot), applied by the kind's
 *        Lua (src/views/kinds/kind.ts lists what it sees). mode 1 writes their top entries
 *        and the bucket's entry in the view's buckets ZSET `bidx` too; mode 2 (a cluster's slot call, kinds with a key per cell)
 *        replies each cell's score instead
 *   ['t', 1, at, tk, bidx, bucket, false, '', '', '', [score, key, ...]]
 *        a cluster's second call per view: ZADD GT of the scores its slot calls returned
 *   ['l', lateKey, n]       INCRBY of the late counter
 *   ['k', bidx, minBucket]  drop buckets-index entries of buckets that expired
 *
 * The script returns `{skipped, score...}`: exactly-once events skipped as already applied,
 * and the scores of mode-2 records' cells in order ('' when the cell does not exist).
 *
 * The top ZSET holds each cell's value, not a sum of increments: setting it is idempotent,
 * so a retried call never counts the top twice, and on a cluster (where the top ZSET is in
 * the view's slot, not the cell's) it is written in a second call with ZADD GT, which keeps
 * the latest of racing writers' values for values that only grow (every shipped view). For
 * count and sum the top ZSET is the cells themselves.
 */
import type { ViewUpdate } from '../views/view.js';
import { bucketIdsKey, bucketsKey, escapedKey, keyTag, lateKey, topKey, valueKey, valueKeyHead, valueKeyTail, viewPrefix } from '../views/keys.js';
import { aggregatorOf, type Aggregator } from '../views/kinds/index.js';
import { keySlot } from './slot.js';
import { expiryOf, type StoreView } from './store.js';

export { flushScript } from './apply-lua.js';

/** A flush's updates: view -> bucket -> key -> the cell's updates in arrival order. */
export type FlushCells = Map<StoreView, Map<number, Map<string, ViewUpdate[]>>>;

/** One value record and where it goes. */
export interface ValueRecord {
  readonly view: StoreView;
  /** The Redis Cluster slot of its keys. */
  readonly slot: number;
  readonly data: unknown[];
  /** Its bucket and the expiry its cells get (what realtime-coverage.ts vouches with). */
  readonly bucket: number;
  readonly expireAt: number;
  /** Its keys, declared by a cluster call (empty on one Redis). */
  readonly keys: string[];
  /** Mode 2: the keys of its cells, in the order their scores come back. */
  readonly scored: string[] | null;
}

/** A view's own records ('l', 'k'), written in the view's slot. */
export interface ViewRecords {
  readonly view: StoreView;
  readonly slot: number;
  readonly keys: string[];
  readonly data: unknown[][];
}

export interface EncodedFlush {
  readonly records: readonly ValueRecord[];
  /** view name -> its late and index-trim records (only views this flush touches). */
  readonly views: ReadonlyMap<string, ViewRecords>;
  /** Exactly-once updates dropped because an earlier update of the flush had their cell and id. */
  readonly duplicates: number;
}

/** Updates grouped by cell (the writer's FlushBatch keeps them grouped as they arrive instead). */
export function groupUpdates(updates: readonly ViewUpdate[], byName: ReadonlyMap<string, StoreView>): FlushCells {
  const cells: FlushCells = new Map();
  for (const u of updates) addUpdate(cells, u, byName.get(u.view)!);
  return cells;
}

/** Add one update to its cell. */
export function addUpdate(cells: FlushCells, u: ViewUpdate, view: StoreView): void {
  let buckets = cells.get(view);
  if (buckets === undefined) cells.set(view, (buckets = new Map()));
  let keys = buckets.get(u.bucket);
  if (keys === undefined) buckets.set(u.bucket, (keys = new Map()));
  const list = keys.get(u.key);
  if (list === undefined) keys.set(u.key, [u]);
  else list.push(u);
}

/** The updates of a cell with distinct event ids, the first of each (exactly-once views). */
function distinctIds(view: StoreView, key: string, list: readonly ViewUpdate[]): { list: ViewUpdate[]; dropped: number } {
  const seen = new Set<string>();
  const out: ViewUpdate[] = [];
  for (const u of list) {
    if (u.id === undefined) throw new Error(`view '${view.name}' is exactly-once: update for key '${key}' has no event id`);
    if (seen.has(u.id)) continue;
    seen.add(u.id);
    out.push(u);
  }
  return { list: out, dropped: list.length - out.length };
}

/**
 * Encode a flush. A cell's updates become one entry of its bucket's record: plain views sum
 * their amounts, distinct views send every member once, exactly-once views keep one entry
 * per event id, the first one seen. Later entries with the same id are dropped, not summed:
 * they are copies of one event (a replay landing in the flush of its original, the same event
 * from two processes), and an id contributes its amount to a cell once, ever, whether its
 * copies arrive in one flush or several. They count as skipped. `cluster` splits the records
 * of kinds with a key per cell by slot (mode 2) and declares every call's keys.
 */
export function encodeFlush(cells: FlushCells, byName: ReadonlyMap<string, StoreView>, namespace: string, late: Readonly<Record<string, number>>, now: number, cluster: boolean): EncodedFlush {
  const records: ValueRecord[] = [];
  const views = new Map<string, ViewRecords>();
  let duplicates = 0;
  for (const [view, buckets] of cells) {
    const agg = aggregatorOf(view.aggregation);
    const p = viewPrefix(namespace, view);
    const eo = view.exactlyOnce && !agg.idempotent;
    const bidx = bucketsKey(p);
    const viewSlot = keySlot(bidx);
    let newest = -Infinity;
    for (const [bucket, keys] of buckets) {
      if (bucket > newest) newest = bucket;
      // Strings: the script passes them to commands as they are (see kinds/kind.ts).
      const expireAt = expiryOf(view, bucket, now);
      const at = String(expireAt);
      const bs = String(bucket);
      const tk = topKey(p, bucket);
      const encode = (key: string, list: readonly ViewUpdate[], into: unknown[]): boolean => {
        let l = list;
        if (eo) {
          const d = distinctIds(view, key, list);
          duplicates += d.dropped;
          l = d.list;
        }
        return pushCell(view, agg, into, key, agg.cellsInTop ? false : escapedKey(key), l, eo);
      };
      if (agg.cellsInTop) {
        // Count and sum: the bucket's cells are its top ZSET, one record in the view's slot.
        const ids = eo ? bucketIdsKey(p, bucket) : false;
        const flat: unknown[] = [];
        for (const [key, list] of keys) encode(key, list, flat);
        if (flat.length === 0) continue;
        records.push({ view, bucket, expireAt, slot: viewSlot, data: [agg.kind.name, 1, at, tk, bidx, bs, ids, '', '', agg.recordArg, flat], keys: cluster ? [tk, bidx, ...(ids ? [ids] : [])] : [], scored: null });
        continue;
      }
      const head = valueKeyHead(p), tail = valueKeyTail(bucket);
      if (!cluster) {
        const flat: unknown[] = [];
        for (const [key, list] of keys) encode(key, list, flat);
        if (flat.length > 0) records.push({ view, bucket, expireAt, slot: viewSlot, data: [agg.kind.name, 1, at, tk, bidx, bs, eo, head, tail, agg.recordArg, flat], keys: [], scored: null });
        continue;
      }
      // A cluster: one mode-2 record per slot of the cells' value keys.
      const bySlot = new Map<number, { flat: unknown[]; keys: string[]; scored: string[] }>();
      for (const [key, list] of keys) {
        const slot = keySlot(keyTag(p, key));
        let g = bySlot.get(slot);
        if (g === undefined) bySlot.set(slot, (g = { flat: [], keys: [], scored: [] }));
        if (!encode(key, list, g.flat)) continue;
        const vk = valueKey(p, key, bucket);
        g.keys.push(vk);
        if (eo) g.keys.push(`${vk}:ids`);
        g.scored.push(key);
      }
      for (const [slot, g] of bySlot) {
        if (g.flat.length === 0) continue;
        records.push({ view, bucket, expireAt, slot, data: [agg.kind.name, 2, at, tk, bidx, bs, eo, head, tail, agg.recordArg, g.flat], keys: g.keys, scored: g.scored });
      }
    }
    const r: ViewRecords = { view, slot: viewSlot, keys: [bidx], data: [] };
    const n = late[view.name] ?? 0;
    if (n > 0) {
      r.data.push(['l', lateKey(p), n]);
      r.keys.push(lateKey(p));
    }
    // Buckets more than the TTL older than the newest bucket this flush writes are gone.
    // Measured from the data's own clock, not the wall clock: a replayed old log (whose buckets
    // live for the TTL after their write) keeps its index.
    if (newest > -Infinity) r.data.push(['k', bidx, String(Math.min(now, newest + view.bucketMs) - view.ttlMs - view.bucketMs)]);
    views.set(view.name, r);
  }
  // Late counts of views this flush wrote nothing to.
  for (const [name, n] of Object.entries(late)) {
    const view = byName.get(name);
    if (view === undefined || n <= 0 || views.has(name)) continue;
    const lk = lateKey(viewPrefix(namespace, view));
    views.set(name, { view, slot: keySlot(lk), keys: [lk], data: [['l', lk, n]] });
  }
  return { records, views, duplicates };
}

/** The 't' record of a view's cluster call: the top scores its slot calls returned. */
export function topRecord(view: StoreView, namespace: string, bucket: string, at: string, pairs: unknown[]): unknown[] {
  const p = viewPrefix(namespace, view);
  return ['t', 1, at, topKey(p, Number(bucket)), bucketsKey(p), bucket, false, '', '', '', pairs];
}

/**
 * One cell pushed onto `out` by the view's kind. Checked there because a Redis script that
 * errors halfway keeps the writes it already made: bad input must never reach it.
 */
function pushCell(view: StoreView, agg: Aggregator, out: unknown[], key: string, ek: string | false, list: readonly ViewUpdate[], ids: boolean): boolean {
  try {
    return agg.pushCell(out, key, ek, list, ids);
  } catch (err) {
    throw new Error(`view '${view.name}': ${err instanceof Error ? err.message : String(err)}`);
  }
}
