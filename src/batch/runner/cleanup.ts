/**
 * What a publish leaves behind: batch versions older than the previous one (and any a
 * crashed run wrote but never published), and realtime buckets the batch layer has long
 * covered. Both are removed with UNLINK (freed off Redis's main thread) in pipelines.
 */
import type { Redis } from 'ioredis';
import { batchBucketsKey, batchPrefix, batchVersionsKey, bucketIdsKey, bucketsKey, idsKey, keysKey, parseBucketId, topKey, valueKey, viewPrefix } from '../../views/keys.js';
import type { ViewDef } from '../../views/view.js';
import { forgetRealtime } from '../../speed/realtime-coverage.js';

type ViewId = Pick<ViewDef, 'name' | 'version' | 'bucketMs'>;

const CHUNK = 1000;

async function unlinkAll(redis: Redis, keys: readonly string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += CHUNK) {
    const pipe = redis.pipeline();
    for (const k of keys.slice(i, i + CHUNK)) pipe.unlink(k);
    await pipe.exec();
  }
}

/** Delete one batch version: its buckets index leads to its top ZSETs, whose members are its keys. */
export async function deleteVersion(redis: Redis, namespace: string, view: ViewId, batchId: number): Promise<void> {
  const p = viewPrefix(namespace, view);
  const bp = batchPrefix(p, batchId);
  const buckets = (await redis.zrange(batchBucketsKey(bp), '0', '-1')).map(Number);
  for (const b of buckets) {
    const members = await redis.zrange(topKey(bp, b), '0', '-1');
    await unlinkAll(redis, [...members.map((k) => valueKey(bp, k, b)), topKey(bp, b)]);
  }
  await unlinkAll(redis, [keysKey(bp), batchBucketsKey(bp)]);
  await redis.srem(batchVersionsKey(p), String(batchId));
}

/** Delete every batch version of the view except those in `keep`. Returns the ids deleted. */
export async function deleteVersionsExcept(redis: Redis, namespace: string, view: ViewId, keep: ReadonlySet<number>): Promise<number[]> {
  const ids = (await redis.smembers(batchVersionsKey(viewPrefix(namespace, view)))).map(Number).filter((id) => !keep.has(id));
  for (const id of ids) await deleteVersion(redis, namespace, view, id);
  return ids;
}

/**
 * Remove realtime buckets that end at or before `upTo`. The speed layer records each bucket
 * it writes in the view's buckets index, and a realtime bucket's top ZSET names every key
 * written in it (for count and sum it is the bucket's cells), so the value keys of the other
 * kinds (and exactly-once id sets) are found without scanning the keyspace. A SCAN for top
 * ZSETs is left only for buckets of the earlier layout, which kept a per-key index and no
 * buckets index: in a Redis holding a batch version (a million keys or more) a SCAN per view
 * cost more Redis CPU than writing the new version. A speed-layer write racing this into
 * such an old bucket leaves a key no query reads, expiring by its TTL.
 */
export async function expireRealtime(redis: Redis, namespace: string, view: ViewId, upTo: number): Promise<number> {
  const p = viewPrefix(namespace, view);
  const found = new Map<number, string>();
  for (const b of await redis.zrangebyscore(bucketsKey(p), '-inf', upTo - view.bucketMs)) found.set(Number(b), topKey(p, Number(b)));
  if ((await redis.exists(keysKey(p))) === 1) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${topKey(p, 0).slice(0, -bucketIdLength)}*`, 'COUNT', 1000);
      cursor = next;
      for (const k of keys) {
        const b = parseBucketId(k.slice(k.lastIndexOf(':top:') + 5));
        if (b + view.bucketMs <= upTo) found.set(b, k);
      }
    } while (cursor !== '0');
  }
  const tops = [...found].map(([b, k]): [string, number] => [k, b]);
  for (const [top, b] of tops) {
    const members = await redis.zrange(top, '0', '-1');
    await unlinkAll(redis, [...members.flatMap((k) => [valueKey(p, k, b), idsKey(p, k, b)]), top, bucketIdsKey(p, b)]);
  }
  // Index entries whose latest bucket is gone point at nothing any more (the buckets index,
  // and the per-key index a writer of the previous layout left).
  if (tops.length > 0) {
    for (const k of [bucketsKey(p), keysKey(p)]) await redis.zremrangebyscore(k, '-inf', `(${upTo - view.bucketMs + 1}`);
  }
  // The speed layer no longer vouches for them: a later version covering less finds holes there, not zeros.
  await forgetRealtime(redis, namespace, view, upTo);
  return tops.length;
}

/** Length of a whole-minute bucket id (`YYYY-MM-DDTHH:MMZ`, what topKey(p, 0) ends with), cut off to get the `...:top:` pattern. */
const bucketIdLength = '1970-01-01T00:00Z'.length;
