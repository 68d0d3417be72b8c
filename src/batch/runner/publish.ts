/**
 * Publishing a recomputed view: write it under a fresh batch version (no query reads it
 * yet), swap the view's pointer in one script, then clean up. The order is what keeps
 * queries whole: the pointer moves only after every key of the version exists, realtime
 * buckets are removed only up to the *previous* version's coverage (a rollback by one
 * version still finds the realtime buckets after it), and versions are deleted only when
 * older than the previous one.
 */
import type { Redis } from 'ioredis';
import { batchBucketsKey, batchPrefix, batchVersionsKey, keysKey, topKey, valueKey, viewPrefix } from '../../views/keys.js';
import type { ViewDef } from '../../views/view.js';
import { rollbackPointer, swapPointer, type BatchPointer } from '../../serving/pointer.js';
import { topScore, type BatchAggregate } from './aggregate.js';
import { deleteVersion, deleteVersionsExcept, expireRealtime } from './cleanup.js';

type View = Pick<ViewDef, 'name' | 'version' | 'bucketMs' | 'aggregation'>;

/** Commands per pipeline round trip: big enough to amortise, small enough not to stall Redis. */
const CHUNK = 2000;
/** Members per PFADD. */
const MEMBERS = 1000;

export interface Published {
  readonly view: string;
  readonly batchId: number;
  readonly watermark: number;
  readonly keys: number;
  readonly replaced: BatchPointer | null;
  readonly realtimeBucketsExpired: number;
  readonly versionsDeleted: number[];
}

/** Write the cells of `agg` whose bucket ends at or before `watermark` as batch version `batchId`. */
export async function writeVersion(redis: Redis, namespace: string, view: View, batchId: number, agg: BatchAggregate, watermark: number): Promise<number> {
  const p = viewPrefix(namespace, view);
  const bp = batchPrefix(p, batchId);
  // Registered first: if this run dies halfway, the next run finds the version and deletes it.
  await redis.sadd(batchVersionsKey(p), String(batchId));
  let pipe = redis.pipeline();
  let queued = 0, cells = 0;
  const flushIfFull = async (): Promise<void> => {
    if (queued < CHUNK) return;
    await exec(pipe);
    pipe = redis.pipeline();
    queued = 0;
  };
  // Few commands per cell: counts go out in MSETs, top and keys entries in one ZADD per
  // bucket chunk (per-command overhead, not Redis, is what a naive writer pays for).
  const tops = new Map<number, Array<string | number>>();
  const index: Array<string | number> = [];
  let mset: string[] = [];
  for (const c of agg.cellsOf((b) => b + view.bucketMs <= watermark)) {
    const vk = valueKey(bp, c.key, c.bucket);
    if (c.members !== null) {
      const all = [...c.members];
      for (let i = 0; i < all.length; i += MEMBERS) pipe.pfadd(vk, ...all.slice(i, i + MEMBERS));
      queued += Math.ceil(all.length / MEMBERS);
    } else if (c.fields !== null) {
      pipe.hset(vk, c.fields);
      queued++;
    } else {
      mset.push(vk, String(c.n));
      if (mset.length >= 2 * MEMBERS) {
        pipe.mset(...mset);
        mset = [];
        queued++;
      }
    }
    const top = tops.get(c.bucket) ?? [];
    top.push(topScore(view.aggregation, c), c.key);
    tops.set(c.bucket, top);
    index.push(c.bucket, c.key);
    cells++;
    await flushIfFull();
  }
  if (mset.length > 0) pipe.mset(...mset);
  for (const [b, entries] of tops) for (let i = 0; i < entries.length; i += 2 * MEMBERS) pipe.zadd(topKey(bp, b), ...entries.slice(i, i + 2 * MEMBERS));
  // GT: a key's entry is its latest bucket, whatever order the cells came in.
  for (let i = 0; i < index.length; i += 2 * MEMBERS) pipe.zadd(keysKey(bp), 'GT', ...index.slice(i, i + 2 * MEMBERS));
  const buckets = [...tops.keys()];
  for (let i = 0; i < buckets.length; i += MEMBERS) pipe.zadd(batchBucketsKey(bp), ...buckets.slice(i, i + MEMBERS).flatMap((b) => [b, String(b)]));
  await exec(pipe);
  return cells;
}

/** Write, swap, clean up (see the file comment for why in this order). */
export async function publishView(redis: Redis, namespace: string, view: View, batchId: number, agg: BatchAggregate, watermark: number): Promise<Published> {
  const keys = await writeVersion(redis, namespace, view, batchId, agg, watermark);
  const replaced = await swapPointer(redis, namespace, view, batchId, watermark);
  let expired = 0;
  if (replaced !== null) expired = await expireRealtime(redis, namespace, view, Math.min(replaced.watermark, watermark));
  const keep = new Set([batchId, ...(replaced ? [replaced.current] : [])]);
  const versionsDeleted = await deleteVersionsExcept(redis, namespace, view, keep);
  return { view: view.name, batchId, watermark, keys, replaced, realtimeBucketsExpired: expired, versionsDeleted };
}

/** `topo batch --rollback VIEW`: the previous version becomes current; the one rolled away is deleted. */
export async function rollbackView(redis: Redis, namespace: string, view: View): Promise<BatchPointer> {
  const before = await rollbackPointer(redis, namespace, view);
  await deleteVersion(redis, namespace, view, before.current);
  return before;
}

async function exec(pipe: ReturnType<Redis['pipeline']>): Promise<void> {
  for (const [err] of (await pipe.exec()) ?? []) if (err) throw err;
}
