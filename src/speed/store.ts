/**
 * Where realtime views live. The writer bolt applies one flush per call; queries read values
 * per bucket, the top keys of a range, a view's keys and its late counter. Redis is the
 * product's store (src/speed/redis-store.ts); the in-process store (memory-store.ts) serves
 * runs without Redis and has the same semantics.
 */
import type { ViewDef, ViewUpdate } from '../views/view.js';
import type { ViewValue } from '../views/kinds/index.js';
import type { FlushProgress } from './flush-calls.js';

export type { ViewValue };

/** What a store needs to know about a view (the functions of a ViewDef are not needed). */
export type StoreView = Pick<ViewDef, 'name' | 'version' | 'bucketMs' | 'aggregation' | 'exactlyOnce' | 'ttlMs'>;

export interface BucketValue {
  /** Bucket start, epoch ms. */
  readonly bucket: number;
  readonly value: ViewValue;
}

export interface ViewValues {
  /** One entry per requested bucket, in the order asked (the kind's empty value when absent: 0, counters at 0). */
  readonly buckets: readonly BucketValue[];
  /**
   * The range as a whole, merged by the view's kind: the sum for count/sum/counters, and for
   * distinct the cardinality of the union of the buckets' HyperLogLogs (not the sum: a
   * visitor seen in two hours counts once).
   */
  readonly total: ViewValue;
}

export interface TopEntry {
  readonly key: string;
  readonly score: number;
}

/** What one apply did: events whose increments ran, and exactly-once events skipped as already applied. */
export interface ApplyResult {
  readonly applied: number;
  readonly skipped: number;
}

export interface ViewStore {
  /** 'redis' or 'memory', for messages. */
  readonly kind: 'redis' | 'memory';
  /**
   * Apply a flush: every update, plus `late` (view name -> events counted as late in this
   * flush). Updates for views not in `views` are an error. A caller retrying the same flush
   * passes the same `progress` each time: a store that writes a flush in several calls (a
   * Redis Cluster, one per slot) then resends only the calls that failed.
   */
  apply(updates: readonly ViewUpdate[], views: readonly StoreView[], late?: Readonly<Record<string, number>>, progress?: FlushProgress): Promise<ApplyResult>;
  /** Per-bucket values of one key and their merge over the range. */
  values(view: StoreView, key: string, buckets: readonly number[]): Promise<ViewValues>;
  /**
   * The `n` keys with the highest score over the buckets, highest first. The score is the
   * value for count/sum, the first counter for counters, and for distinct the sum of the
   * per-bucket cardinalities (an upper bound of the range's uniques; use `values` for the union).
   */
  top(view: StoreView, buckets: readonly number[], n: number): Promise<TopEntry[]>;
  /** Every key the view holds, most recently written bucket first. */
  keys(view: StoreView): Promise<string[]>;
  /** Events counted as late for the view. */
  late(view: StoreView): Promise<number>;
  close(): Promise<void>;
}

/** Index views by name and check every update names one; throws naming the unknown view. */
export function viewIndex(updates: readonly ViewUpdate[], views: readonly StoreView[]): Map<string, StoreView> {
  const byName = new Map<string, StoreView>();
  for (const v of views) byName.set(v.name, v);
  for (const u of updates) {
    if (!byName.has(u.view)) throw new Error(`update for unknown view '${u.view}' (known: ${[...byName.keys()].join(', ') || 'none'})`);
  }
  return byName;
}

/**
 * When a bucket's keys expire (epoch ms): the view's TTL after the bucket's end, or after
 * now when the bucket ended long ago. A replay of an old log (the shipped one is from 2015)
 * must still fill the views; memory stays bounded because nothing lives longer than the TTL
 * after its last write.
 */
export function expiryOf(view: Pick<StoreView, 'bucketMs' | 'ttlMs'>, bucket: number, now = Date.now()): number {
  return Math.max(bucket + view.bucketMs, now) + view.ttlMs;
}
