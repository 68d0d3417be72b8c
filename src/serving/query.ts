/**
 * The serving layer: `query = f(batch view, realtime view)`. Each bucket is answered by
 * exactly one side: the batch version the view's pointer names when the bucket ends at or
 * before its watermark, the realtime view otherwise. So a bucket is never counted twice nor
 * missed, and the range total needs no de-duplication: counts sum, distinct counts are one
 * PFCOUNT over the chosen HyperLogLogs (batch and realtime keys of one view key share the
 * `{<view>:<key>}` hash tag, so that is one Redis Cluster slot), counters sum and then
 * `present`. A top over a range is one ZUNION: every top ZSET of a view, batch and realtime,
 * shares the `{<view>}` tag, as do its keys indexes and its pointer.
 *
 * Queries never wait for a publish. They read the pointer, then the values together with the
 * pointer again (one pipeline; on a cluster, where a key's values and the view's pointer
 * live in different slots, the values and then the pointer: read after the values, it proves
 * the same thing); if the version they used was deleted meanwhile (it is no longer current
 * nor previous: two publishes, or a rollback away from it) they read again.
 * Publishing keeps the previous version and the realtime buckets after it, so a read made
 * with either version is whole.
 *
 * A bucket the batch version does not cover is answered by the realtime view only if the
 * speed layer vouches for it (src/speed/realtime-coverage.ts: it read that stretch of event
 * time and no cell of the bucket has expired); otherwise it is a hole, answered as missing
 * (value null), and the range's total merges the buckets answered.
 */
import { Cluster } from 'ioredis';
import type { RedisClient } from '../speed/redis-client.js';
import type { StoreView, TopEntry, ViewValue } from '../speed/store.js';
import { queueBucketsRead } from '../speed/read-buckets.js';
import { batchPrefix, topKey, viewPrefix } from '../views/keys.js';
import { queueKeysRead, queueLatestBucketRead } from '../speed/read-keys.js';
import { parsePointer, pointerKey, type BatchPointer } from './pointer.js';
import { withScores } from '../speed/redis-replies.js';
import { vouchedBuckets } from '../speed/realtime-coverage.js';

/** Who answered a bucket: the batch version, the realtime view, or nobody (a hole). */
export type Source = 'batch' | 'realtime' | 'missing';

export interface ServedBucket {
  readonly bucket: number;
  /** null when missing. */
  readonly value: ViewValue | null;
  readonly source: Source;
}

export interface Served {
  readonly buckets: readonly ServedBucket[];
  /** The merge of the buckets answered (missing ones left out). */
  readonly total: ViewValue;
  /** Buckets neither side holds. */
  readonly missing: number;
  /** Batch coverage (epoch ms) the answer used, or null before any batch run. */
  readonly watermark: number | null;
}

const ATTEMPTS = 20;

export class ServingLayer {
  constructor(readonly redis: RedisClient, readonly namespace: string) {}

  /** Per-bucket values of `key` (each from one side) and their merge over the range. */
  async query(view: StoreView, key: string, buckets: readonly number[]): Promise<Served> {
    return this.consistent(view, async (ptr, pipe) => {
      const plan = await this.plan(view, ptr, buckets);
      const read = plan.filter((p) => p.source !== 'missing');
      // The range's merge is the kind's (distinct: one PFCOUNT over the chosen HyperLogLogs, batch and realtime alike).
      const parse = queueBucketsRead(pipe, view, key, read);
      return (replies: unknown[]): Served => {
        const { values, total } = parse(replies);
        let i = 0;
        const out = plan.map((p) => ({ bucket: p.bucket, source: p.source, value: p.source === 'missing' ? null : values[i++]! }));
        return { buckets: out, total, missing: plan.length - read.length, watermark: ptr?.watermark ?? null };
      };
    });
  }

  /** The `n` keys with the highest score over the buckets (scored as the speed layer's top ZSETs). */
  async top(view: StoreView, buckets: readonly number[], n: number): Promise<{ top: TopEntry[]; missing: number; watermark: number | null }> {
    if (buckets.length === 0 || n <= 0) return { top: [], missing: 0, watermark: null };
    return this.consistent(view, async (ptr, pipe) => {
      const plan = await this.plan(view, ptr, buckets);
      const tks = plan.filter((p) => p.source !== 'missing').map(({ bucket, prefix }) => topKey(prefix, bucket));
      const missing = plan.length - tks.length;
      // ZUNION has no LIMIT: the union comes back ascending and the top n are cut here.
      if (tks.length > 0) pipe.call('ZUNION', tks.length, ...tks, 'WITHSCORES');
      return (replies) => ({ top: tks.length === 0 ? [] : withScores(replies[0]).reverse().slice(0, n), missing, watermark: ptr?.watermark ?? null });
    });
  }

  /** Every key of the view in the batch version or the realtime view, most recent bucket first. */
  async keys(view: StoreView): Promise<string[]> {
    return this.consistent(view, async (ptr, pipe) => {
      const p = viewPrefix(this.namespace, view);
      return queueKeysRead(this.redis, pipe, p, ptr ? batchPrefix(p, ptr.current) : null);
    });
  }

  /** Start of the latest bucket the view holds on either side, or null when it is empty. */
  async latestBucket(view: StoreView): Promise<number | null> {
    return this.consistent(view, async (ptr, pipe) => {
      const p = viewPrefix(this.namespace, view);
      return queueLatestBucketRead(pipe, p, ptr ? batchPrefix(p, ptr.current) : null);
    });
  }

  /** Which side answers each bucket, and under which key prefix: the batch version, else the realtime view where it vouches. */
  private async plan(view: StoreView, ptr: BatchPointer | null, buckets: readonly number[]): Promise<Array<{ bucket: number; source: Source; prefix: string }>> {
    const p = viewPrefix(this.namespace, view);
    const bp = ptr ? batchPrefix(p, ptr.current) : p;
    const batch = (bucket: number): boolean => ptr !== null && bucket + view.bucketMs <= ptr.watermark;
    const rest = buckets.filter((b) => !batch(b));
    const held = await vouchedBuckets(this.redis, this.namespace, view, rest);
    let i = 0;
    return buckets.map((bucket) => {
      if (batch(bucket)) return { bucket, source: 'batch', prefix: bp };
      return { bucket, source: held[i++] ? 'realtime' : 'missing', prefix: p };
    });
  }

  /** Read with the pointer's version; read again if that version may have been deleted meanwhile. */
  private async consistent<T>(view: StoreView, build: (ptr: BatchPointer | null, pipe: ReturnType<RedisClient['pipeline']>) => Promise<(replies: unknown[]) => T>): Promise<T> {
    const pk = pointerKey(this.namespace, view);
    // A cluster pipeline must stay within one slot: the pointer is read after it instead.
    const split = this.redis instanceof Cluster;
    for (let attempt = 1; ; attempt++) {
      const ptr = parsePointer(await this.redis.hgetall(pk));
      const pipe = this.redis.pipeline();
      const finish = await build(ptr, pipe);
      if (!split) pipe.hmget(pk, 'current', 'previous');
      const replies = pipe.length === 0 ? [] : ((await pipe.exec()) ?? []).map(([err, v]) => {
        if (err) throw err;
        return v;
      });
      const [current, previous] = split ? await this.redis.hmget(pk, 'current', 'previous') : (replies.pop() as Array<string | null>);
      // Still whole: our version is current or previous (kept), or there was no batch and at
      // most one publish since (realtime is expired only from the second publish on).
      const whole = ptr === null ? !previous : String(ptr.current) === current || String(ptr.current) === previous;
      if (whole || attempt >= ATTEMPTS) return finish(replies);
    }
  }
}
