/**
 * Which realtime buckets the speed layer vouches for. A cell that is not in Redis reads as
 * the kind's empty value (0), which is right only when no event of it ever came. It is wrong
 * for a bucket whose cells expired by their TTL, or whose events the speed layer never saw
 * (it was not running): such a bucket, unless a batch version covers it, is a hole, and
 * the serving layer answers it as missing (src/serving/query.ts), never as 0.
 *
 *   <p>:{<view>}:realtime   ZSET bucket start -> held until (epoch ms)
 *
 * A writer vouches for every bucket it writes a cell in, and for every bucket between them
 * in the stretch of event time it has read since it opened: a quiet hour inside that
 * stretch has genuinely no events. A bucket more than MAX_FILL buckets away from the
 * stretch is vouched alone (a late event far behind, or a jump ahead, which starts a new
 * stretch): the gap is not. So event time before a writer's first bucket, or between the
 * stretches of two runs (the speed layer was down and those events never came), is never
 * vouched, nor is a bucket after the latest one written.
 *
 * The score is the earliest time any cell of the bucket can expire: the expiry its first
 * write gave it (later writes only push a cell's expiry later, see store.ts expiryOf), so
 * until then no cell of the bucket is gone; from then on the bucket is torn (ZADD NX: a
 * later write does not make it whole again). Torn entries are dropped one TTL later.
 * `topo batch` forgets the buckets whose realtime cells it removes (cleanup.ts).
 *
 * The entry is written before the cells of its flush (a failed flush leaves a vouched bucket
 * whose cells its retry writes, as any flush in flight), and only for buckets the writer has
 * not vouched yet: an hourly live stream adds one entry an hour.
 */
import type { RedisClient } from './redis-client.js';
import { expiryOf, type StoreView } from './store.js';
import { realtimeKey, viewPrefix } from '../views/keys.js';

/** The largest gap (in buckets) a writer fills between buckets it wrote: a year of hours. */
export const MAX_FILL = 8784;

type CoveredView = Pick<StoreView, 'name' | 'version' | 'bucketMs' | 'ttlMs'>;

/** What the encoder knows of each cell of a flush (apply-script.ts CellRecord). */
export interface CoveredCell {
  readonly view: CoveredView;
  readonly bucket: number;
  readonly expireAt: number;
}

interface Stretch {
  lo: number;
  hi: number;
  /** Buckets vouched alone, outside the stretch. */
  readonly alone: Set<number>;
}

/** One writer's (one store's) stretches, per view; the Redis side is shared by every writer. */
export class CoverageRecorder {
  private readonly stretches = new Map<string, Stretch>();

  constructor(private readonly namespace: string) {}

  /**
   * Vouch for the buckets these cells newly reach. Resolves once Redis holds the entries;
   * the stretches move on only then, so a failed call is made again with the flush's retry.
   */
  async record(redis: RedisClient, cells: readonly CoveredCell[], now = Date.now()): Promise<void> {
    let byView: Map<string, { view: CoveredView; buckets: Map<number, number> }> | null = null;
    for (const c of cells) {
      const p = viewPrefix(this.namespace, c.view);
      const s = this.stretches.get(p);
      if (s !== undefined && ((c.bucket >= s.lo && c.bucket <= s.hi) || s.alone.has(c.bucket))) continue;
      byView ??= new Map();
      let v = byView.get(p);
      if (v === undefined) byView.set(p, (v = { view: c.view, buckets: new Map() }));
      const at = v.buckets.get(c.bucket);
      if (at === undefined || c.expireAt < at) v.buckets.set(c.bucket, c.expireAt);
    }
    if (byView === null) return;
    const writes: Array<Promise<unknown>> = [];
    const moves: Array<() => void> = [];
    for (const [p, { view, buckets }] of byView) {
      const next = this.extend(this.stretches.get(p), view, [...buckets.keys()].sort((a, b) => a - b));
      const args: Array<string | number> = [];
      let latest = 0;
      for (const b of next.vouch) {
        const at = buckets.get(b) ?? expiryOf(view, b, now);
        args.push(at, b);
        latest = Math.max(latest, at);
      }
      const key = realtimeKey(p);
      writes.push(redis.zadd(key, 'NX', ...args));
      writes.push(redis.zremrangebyscore(key, '-inf', `(${now - view.ttlMs}`));
      // The set lives as long as its latest entry (NX: a new key; GT: only ever later).
      writes.push(redis.call('PEXPIREAT', key, latest, 'NX'), redis.call('PEXPIREAT', key, latest, 'GT'));
      moves.push(() => this.stretches.set(p, next.stretch));
    }
    await Promise.all(writes);
    for (const m of moves) m();
  }

  /** The stretch after these (sorted) buckets, and the buckets it newly vouches for. */
  private extend(prev: Stretch | undefined, view: CoveredView, sorted: readonly number[]): { stretch: Stretch; vouch: number[] } {
    const step = view.bucketMs;
    const s: Stretch = prev === undefined ? { lo: sorted[0]!, hi: sorted[0]!, alone: new Set() } : { lo: prev.lo, hi: prev.hi, alone: new Set(prev.alone) };
    const vouch: number[] = prev === undefined ? [s.lo] : [];
    for (const b of sorted) {
      if ((b >= s.lo && b <= s.hi) || s.alone.has(b)) continue;
      if (b > s.hi && (b - s.hi) / step <= MAX_FILL) {
        for (let x = s.hi + step; x <= b; x += step) vouch.push(x);
        s.hi = b;
      } else if (b < s.lo && (s.lo - b) / step <= MAX_FILL) {
        for (let x = s.lo - step; x >= b; x -= step) vouch.push(x);
        s.lo = b;
      } else if (b > s.hi) {
        // Far ahead: event time jumped (a new stream): a new stretch starts there.
        s.lo = s.hi = b;
        vouch.push(b);
      } else {
        if (s.alone.size >= 10_000) s.alone.clear();
        s.alone.add(b);
        vouch.push(b);
      }
    }
    return { stretch: s, vouch };
  }
}

/** For each of `buckets` (in order): does the speed layer vouch for it at `now`? */
export async function vouchedBuckets(redis: RedisClient, namespace: string, view: Pick<StoreView, 'name' | 'version'>, buckets: readonly number[], now = Date.now()): Promise<boolean[]> {
  if (buckets.length === 0) return [];
  const scores = (await redis.call('ZMSCORE', realtimeKey(viewPrefix(namespace, view)), ...buckets.map(String))) as Array<string | null>;
  return scores.map((s) => s !== null && Number(s) > now);
}

/** Forget the buckets ending at or before `upTo` (their realtime cells were removed). */
export async function forgetRealtime(redis: RedisClient, namespace: string, view: Pick<StoreView, 'name' | 'version' | 'bucketMs'>, upTo: number): Promise<void> {
  const key = realtimeKey(viewPrefix(namespace, view));
  const gone = (await redis.zrange(key, '0', '-1')).filter((m) => Number(m) + view.bucketMs <= upTo);
  if (gone.length > 0) await redis.zrem(key, ...gone);
}
