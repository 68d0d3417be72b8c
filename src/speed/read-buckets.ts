/**
 * The read of one key over buckets, written once for the speed layer's store
 * (redis-store.ts, realtime keys only) and the serving layer (serving/query.ts, each bucket
 * from its batch version or the realtime view): the view's kind says which commands read its
 * cells and how their replies merge, and this queues them on the caller's pipeline. A key's
 * cells share one hash tag, batch and realtime alike (`{<view>:<key>}` for a key per cell,
 * `{<view>}` for cells in the top ZSETs), so on a cluster the read is one slot.
 */
import type { ChainableCommander } from 'ioredis';
import { aggregatorOf, type BucketAt, type ViewValue } from '../views/kinds/index.js';
import type { StoreView } from './store.js';

export interface BucketsRead {
  readonly values: ViewValue[];
  readonly total: ViewValue;
}

/**
 * Queue on `pipe` the read of `key` in each of `at` (a prefix and a bucket, in order). The returned
 * function takes the pipeline's replies from the first of these commands on (a caller that
 * queued commands before them passes a slice) and gives the values and their range total.
 */
export function queueBucketsRead(pipe: ChainableCommander, view: Pick<StoreView, 'aggregation'>, key: string, at: readonly BucketAt[]): (replies: readonly unknown[]) => BucketsRead {
  const read = aggregatorOf(view.aggregation).read(key, at);
  for (const [name, ...args] of read.commands) pipe.call(name, ...args);
  const n = read.commands.length;
  return (replies) => read.parse(replies.length === n ? replies : replies.slice(0, n));
}
