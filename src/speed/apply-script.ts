/**
 * How a flush becomes the records of the Lua script that applies it (apply-lua.ts): the
 * record format, and the encoder.
 *
 * Why scripts: a script runs atomically, so an event's exactly-once check (SADD of its id)
 * and its increments can never be separated by a crash or a concurrent writer. Both live in
 * the slot of `{<view>:<key>}` (src/views/keys.ts), so that holds on a Redis Cluster too.
 *
 * The records, each consuming KEYS and ARGV from cursors:
 *
 *   <kind>   eo expireAt arg count    then count x ([id] k a1 .. ak): with eo one amount per
 *            KEYS value [ids]            event id (ids distinct), else one amount for the cell;
 *                                        applied by the kind's Lua (src/views/kinds/<kind>.ts:
 *                                        count INCRBY, sum INCRBYFLOAT, counters HINCRBY of
 *                                        `field n` pairs, distinct one PFADD of its members)
 *   't'      mode expireAt key bucket score
 *            KEYS top keysIndex           ZADD top (mode '=': plain, '>': GT), ZADD GT keys index
 *   'l'      n            KEYS late       INCRBY of the late counter
 *   'k'      minBucket    KEYS keysIndex  drop index entries whose last bucket expired
 *
 * `arg` is the kind's `scoreArg` (counters: the first field). A value record leaves the
 * cell's score after the write (the kind's: the count, sum, first counter or PFCOUNT; ''
 * when the cell does not exist) as its score; a top record's score is a number
 * or `#i`, the score of this script's i-th value record. The script returns
 * `{skipped, score1, score2, ...}`: exactly-once events skipped as already applied, and the
 * value records' scores in order.
 *
 * The top ZSET holds each cell's value, not a sum of increments: setting it is idempotent,
 * so a retried flush can never count the top twice, and on a cluster (where the top ZSET is
 * in the view's slot, not the cell's) it is written in a second call with ZADD GT, which
 * keeps the latest of racing writers' values for values that only grow (every shipped view).
 * On a single Redis the whole flush is one script and the top is set exactly.
 */
import type { ViewUpdate } from '../views/view.js';
import { idsKey, keysKey, lateKey, topKey, valueKey, viewPrefix } from '../views/keys.js';
import { aggregatorOf, type Aggregator } from '../views/kinds/index.js';
import { expiryOf, type StoreView } from './store.js';

export { flushScript } from './apply-lua.js';

/** One (view, key, bucket): its value record, and what its top record needs. */
export interface CellRecord {
  readonly view: StoreView;
  readonly key: string;
  readonly bucket: number;
  readonly expireAt: number;
  /** The value key: its hash tag decides the slot. */
  readonly valueKey: string;
  readonly topKey: string;
  readonly keysKey: string;
  readonly keys: readonly string[];
  readonly argv: readonly string[];
}

/** A view's own records ('l', 'k'), written in the view's slot. */
export interface ViewRecords {
  readonly view: StoreView;
  readonly keys: string[];
  readonly argv: string[];
}

export interface EncodedFlush {
  readonly cells: readonly CellRecord[];
  /** view name -> its late and index-trim records (only views this flush touches). */
  readonly views: ReadonlyMap<string, ViewRecords>;
  /** Exactly-once updates dropped because an earlier update of the flush had their cell and id. */
  readonly duplicates: number;
}

/** What the encoder decides once per view and flush. */
interface ViewPlan {
  readonly prefix: string;
  readonly agg: Aggregator;
  readonly eo: boolean;
  readonly keysKey: string;
  readonly buckets: Map<number, { readonly expireAt: number; readonly expire: string; readonly topKey: string }>;
}

/** The updates of one (view, key, bucket), in arrival order: what one value record is made from. */
export interface FlushGroup {
  readonly view: StoreView;
  readonly key: string;
  readonly bucket: number;
  readonly list: ViewUpdate[];
}


/** The grouping key of an update's cell. NUL separates: it occurs in no view name nor bucket. */
export function cellId(view: string, bucket: number, key: string): string {
  return `${view}\u0000${bucket}\u0000${key}`;
}

/** Updates grouped by cell (the writer's FlushBatch keeps them grouped as they arrive instead). */
export function groupUpdates(updates: readonly ViewUpdate[], byName: ReadonlyMap<string, StoreView>): Map<string, FlushGroup> {
  const groups = new Map<string, FlushGroup>();
  for (const u of updates) {
    const g = cellId(u.view, u.bucket, u.key);
    let group = groups.get(g);
    if (group === undefined) groups.set(g, (group = { view: byName.get(u.view)!, key: u.key, bucket: u.bucket, list: [] }));
    group.list.push(u);
  }
  return groups;
}

/**
 * Encode a flush. Updates of one (view, key, bucket) become one record: plain views sum
 * their amounts, distinct views send every member in one PFADD, exactly-once views keep one
 * entry per event id, the first one seen. Later entries with the same id are dropped, not
 * summed: they are copies of one event (a replay landing in the flush of its original, the
 * same event from two processes), and an id contributes its amount to a cell once, ever,
 * whether its copies arrive in one flush or several. They count as skipped.
 */
export function encodeFlush(
  updates: readonly ViewUpdate[],
  byName: ReadonlyMap<string, StoreView>,
  namespace: string,
  late: Readonly<Record<string, number>>,
  now: number,
): EncodedFlush {
  return encodeGroups(groupUpdates(updates, byName).values(), byName, namespace, late, now);
}

/** {@link encodeFlush} of updates already grouped by cell (each group's view is in `byName`). */
export function encodeGroups(
  groups: Iterable<FlushGroup>,
  byName: ReadonlyMap<string, StoreView>,
  namespace: string,
  late: Readonly<Record<string, number>>,
  now: number,
): EncodedFlush {
  const cells: CellRecord[] = [];
  const views = new Map<string, ViewRecords>();
  let duplicates = 0;
  // Decided once per view and flush, not per cell: key prefix, aggregator, exactly-once, the
  // keys index; and per bucket its expiry and top ZSET (a flush touches few buckets).
  const plans = new Map<StoreView, ViewPlan>();
  const planOf = (v: StoreView): ViewPlan => {
    let p = plans.get(v);
    if (p === undefined) {
      const agg = aggregatorOf(v.aggregation);
      const prefix = viewPrefix(namespace, v);
      plans.set(v, (p = { prefix, agg, eo: v.exactlyOnce && !agg.idempotent, keysKey: keysKey(prefix), buckets: new Map() }));
    }
    return p;
  };
  const prefixOf = (v: StoreView): string => planOf(v).prefix;
  const recordsOf = (v: StoreView): ViewRecords => {
    let r = views.get(v.name);
    if (r === undefined) views.set(v.name, (r = { view: v, keys: [], argv: [] }));
    return r;
  };
  const newest = new Map<StoreView, number>();
  for (const { view, key, bucket, list } of groups) {
    const nb = newest.get(view);
    if (nb === undefined || bucket > nb) newest.set(view, bucket);
    const plan = planOf(view);
    const { prefix: p, agg, eo } = plan;
    let b = plan.buckets.get(bucket);
    if (b === undefined) {
      const expireAt = expiryOf(view, bucket, now);
      plan.buckets.set(bucket, (b = { expireAt, expire: String(expireAt), topKey: topKey(p, bucket) }));
    }
    const expireAt = b.expireAt;
    const vk = valueKey(p, key, bucket);
    const keys = eo ? [vk, idsKey(p, key, bucket)] : [vk];
    const argv = [agg.kind.name, eo ? '1' : '0', b.expire, agg.scoreArg];
    if (eo) {
      // One Set per exactly-once cell, none for the others: the plain path stays as cheap as before.
      const seen = new Set<string>();
      const countAt = argv.length;
      let amounts = 0;
      argv.push('');
      for (let i = 0; i < list.length; i++) {
        const id = list[i]!.id;
        if (id === undefined) throw new Error(`view '${view.name}' is exactly-once: update for key '${key}' has no event id`);
        if (seen.has(id)) {
          duplicates++;
          continue;
        }
        seen.add(id);
        argv.push(id);
        // An event that adds nothing takes its id back: the script reads an amount after every id.
        if (pushAmount(view, agg, list, i, i + 1, argv)) amounts++;
        else argv.pop();
      }
      if (amounts === 0) continue;
      argv[countAt] = String(amounts);
    } else {
      argv.push('1');
      // An empty amount (a distinct cell whose updates had no member): nothing to write.
      if (!pushAmount(view, agg, list, 0, list.length, argv)) continue;
    }
    cells.push({ view, key, bucket, expireAt, valueKey: vk, topKey: b.topKey, keysKey: plan.keysKey, keys, argv });
  }
  for (const [name, n] of Object.entries(late)) {
    const view = byName.get(name);
    if (view === undefined || n <= 0) continue;
    const r = recordsOf(view);
    r.keys.push(lateKey(prefixOf(view)));
    r.argv.push('l', String(n));
  }
  // Index entries whose latest bucket is more than the TTL older than the newest bucket this
  // flush writes point at nothing any more. Measured from the data's own clock, not the wall
  // clock: a replayed old log (whose buckets live for the TTL after their write) keeps its index.
  for (const [view, bucket] of newest) {
    const r = recordsOf(view);
    r.keys.push(keysKey(prefixOf(view)));
    r.argv.push('k', String(Math.min(now, bucket + view.bucketMs) - view.ttlMs - view.bucketMs));
  }
  return { cells, views, duplicates };
}

/** A cell's top record; `score` is a number as a string, or `#i` (the i-th value record of the same script). */
export function topRecord(cell: CellRecord, mode: '=' | '>', score: string): { keys: string[]; argv: string[] } {
  return { keys: [cell.topKey, cell.keysKey], argv: ['t', mode, String(cell.expireAt), cell.key, String(cell.bucket), score] };
}

/**
 * One amount of list[from, to) pushed onto `out` by the view's kind. Checked there because a
 * Redis script that errors halfway keeps the writes it already made: bad input must never
 * reach it. A range, not a sub-list: no allocation per event.
 */
function pushAmount(view: StoreView, agg: Aggregator, list: readonly ViewUpdate[], from: number, to: number, out: string[]): boolean {
  try {
    return agg.pushAmount(list, from, to, out);
  } catch (err) {
    throw new Error(`view '${view.name}': ${err instanceof Error ? err.message : String(err)}`);
  }
}
