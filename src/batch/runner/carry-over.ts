/**
 * What a partial batch run (`--since`, `--until`) keeps from the version it replaces. A run
 * over some dates recomputes only their whole buckets; published alone, its version would
 * answer every other bucket below its watermark with nothing (a `--since` run turned 197
 * pageviews into 37). So before the pointer moves, every bucket of the current version that
 * the run did not recompute (outside its dates, or past its own watermark: the last, open
 * bucket of an `--until` date) is copied into the new version (value keys, the bucket's top
 * ZSET, its entry in the version's bucket index), and the keys index is merged: each
 * published version is whole up to its watermark, and a rollback, one version back, is too.
 *
 * The copy runs under the run's lease, before the swap, so no query reads the new version
 * half-copied. COPY keeps each key's type (counters, HyperLogLogs, hashes): nothing is
 * decoded. Buckets never straddle dates (a bucket size divides a day).
 */
import type { Redis } from 'ioredis';
import { batchBucketsKey, batchPrefix, keysKey, topKey, valueKey, viewPrefix } from '../../views/keys.js';
import type { ViewDef } from '../../views/view.js';

type ViewId = Pick<ViewDef, 'name' | 'version' | 'bucketMs'>;

/** The dates a partial run read (YYYY-MM-DD, inclusive; an absent bound is open). */
export interface DateRange {
  readonly since?: string;
  readonly until?: string;
}

/** True when the bucket starting at `start` lies on a date the run did not read. */
export function outsideRange(start: number, range: DateRange): boolean {
  const date = new Date(start).toISOString().slice(0, 10);
  return (range.since !== undefined && date < range.since) || (range.until !== undefined && date > range.until);
}

/**
 * Copies version `from`'s buckets that the run did not recompute (outside `range`, or not
 * whole by the run's `watermark`) into version `to`; returns the buckets copied.
 */
export async function carryOver(redis: Redis, namespace: string, view: ViewId, from: number, to: number, range: DateRange, watermark: number): Promise<number> {
  const p = viewPrefix(namespace, view);
  const src = batchPrefix(p, from);
  const dst = batchPrefix(p, to);
  const buckets = (await redis.zrange(batchBucketsKey(src), '0', '-1')).map(Number)
    .filter((b) => outsideRange(b, range) || b + view.bucketMs > watermark);
  for (const b of buckets) {
    // The bucket's top ZSET names every key written in it (as deleteVersion relies on).
    const members = await redis.zrange(topKey(src, b), '0', '-1');
    const pipe = redis.pipeline();
    for (const k of members) pipe.call('COPY', valueKey(src, k, b), valueKey(dst, k, b), 'REPLACE');
    pipe.call('COPY', topKey(src, b), topKey(dst, b), 'REPLACE');
    pipe.zadd(batchBucketsKey(dst), b, String(b));
    for (const [err] of (await pipe.exec()) ?? []) if (err) throw err;
  }
  // Each key's latest bucket over both: the union, the later bucket winning.
  await redis.zunionstore(keysKey(dst), 2, keysKey(dst), keysKey(src), 'AGGREGATE', 'MAX');
  return buckets.length;
}
