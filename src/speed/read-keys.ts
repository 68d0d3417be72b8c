/**
 * A view's keys and its latest bucket, read from the layout the speed layer writes. The
 * realtime view keeps no entry per key: a flush records the buckets it wrote (`:buckets`, one
 * entry per bucket), and a key is a member of its buckets' top ZSETs. An index entry per key
 * and view cost each event two ZADD members in Redis (about 14% of the flush script's
 * instructions on the pageviews replay); listing keys is rare (`topo keys`), writing is not.
 *
 * Also read: the per-key index `:keys` of a batch version, and the realtime one a writer of
 * the previous layout left (read until it expires). Every key read is in the view's slot.
 */
import type { ChainableCommander } from 'ioredis';
import { bucketsKey, keysKey, topKey } from '../views/keys.js';
import type { RedisClient } from './redis-client.js';

function pairs(reply: unknown): Array<[string, number]> {
  const flat = (reply ?? []) as string[];
  const out: Array<[string, number]> = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, Number(flat[i + 1])]);
  return out;
}

/**
 * Queue on `pipe` the reads of every key of the realtime view under `p` and, when given, of
 * the batch version under `bp`; returns how the replies (in queue order, from the first one
 * queued here) become the keys, most recent bucket first (ties: by key, descending, as a
 * ZREVRANGE of the index gave them).
 */
export async function queueKeysRead(redis: RedisClient, pipe: ChainableCommander, p: string, bp: string | null): Promise<(replies: readonly unknown[]) => string[]> {
  const buckets = (await redis.zrange(bucketsKey(p), '0', '-1')).map(Number).sort((a, b) => b - a);
  for (const b of buckets) pipe.zrange(topKey(p, b), '0', '-1');
  const indexes = [keysKey(p), ...(bp !== null ? [keysKey(bp)] : [])];
  for (const k of indexes) pipe.zrange(k, '0', '-1', 'WITHSCORES');
  return (replies) => {
    const latest = new Map<string, number>();
    const see = (key: string, bucket: number): void => {
      const had = latest.get(key);
      if (had === undefined || had < bucket) latest.set(key, bucket);
    };
    buckets.forEach((b, i) => {
      for (const key of (replies[i] ?? []) as string[]) see(key, b);
    });
    for (let i = 0; i < indexes.length; i++) for (const [key, b] of pairs(replies[buckets.length + i])) see(key, b);
    return [...latest].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? 1 : x[0] > y[0] ? -1 : 0)).map(([key]) => key);
  };
}

/** Queue the reads of the latest bucket the realtime view (and the batch version under `bp`) holds. */
export function queueLatestBucketRead(pipe: ChainableCommander, p: string, bp: string | null): (replies: readonly unknown[]) => number | null {
  const keys = [bucketsKey(p), keysKey(p), ...(bp !== null ? [keysKey(bp)] : [])];
  for (const k of keys) pipe.zrevrange(k, 0, 0, 'WITHSCORES');
  return (replies) => {
    const starts = replies.slice(0, keys.length).map((r) => pairs(r)[0]?.[1]).filter((x): x is number => x !== undefined);
    return starts.length === 0 ? null : Math.max(...starts);
  };
}
