/**
 * Publishing a recomputed view: it is written under a fresh batch version (no query reads it
 * yet; the reducers write it, see write.ts), then swap the view's pointer in one script, then clean up. The order is what keeps
 * queries whole: the pointer moves only after every key of the version exists, realtime
 * buckets are removed only up to the *previous* version's coverage (a rollback by one
 * version still finds the realtime buckets after it), and versions are deleted only when
 * older than the previous one.
 */
import type { Redis } from 'ioredis';
import { batchVersionsKey, viewPrefix } from '../../views/keys.js';
import type { ViewDef } from '../../views/view.js';
import { rollbackPointer, swapPointer, type BatchPointer } from '../../serving/pointer.js';
import { deleteVersion, deleteVersionsExcept, expireRealtime } from './cleanup.js';

type View = Pick<ViewDef, 'name' | 'version' | 'bucketMs' | 'aggregation'>;

export interface Published {
  readonly view: string;
  readonly batchId: number;
  readonly watermark: number;
  readonly keys: number;
  readonly replaced: BatchPointer | null;
  readonly realtimeBucketsExpired: number;
  readonly versionsDeleted: number[];
}

/**
 * Register batch version `batchId` of the view before anything is written under it: if the
 * run dies halfway, the next run finds the version and deletes it. The reducers then merge
 * their cells into it (write.ts).
 */
export async function openVersion(redis: Redis, namespace: string, view: View, batchId: number): Promise<void> {
  await redis.sadd(batchVersionsKey(viewPrefix(namespace, view)), String(batchId));
}

/** Once every cell of the version (`keys` of them) is written: swap, clean up (see the file comment for why in this order). */
export async function publishView(redis: Redis, namespace: string, view: View, batchId: number, keys: number, watermark: number): Promise<Published> {
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
