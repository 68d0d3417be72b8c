/**
 * The Redis key schema, in one place (the README shows it as a user sees it in redis-cli):
 *
 *   <p> = topo:<namespace>:<view>:v<version>          namespace = topology name unless set
 *   <p>:{<key>}:<bucket>        value of one key in one bucket: STRING counter (count/sum),
 *                               HyperLogLog (distinct) or HASH of counters (counters)
 *   <p>:{<key>}:<bucket>:ids    SET of applied event ids (exactly-once views only)
 *   <p>:top:<bucket>            ZSET key -> value in that bucket (count/sum/counters' first field;
 *                               distinct: the bucket's PFCOUNT, refreshed on each write)
 *   <p>:keys                    ZSET key -> latest bucket start seen (entries whose bucket has
 *                               expired are trimmed on write)
 *   <p>:late                    STRING counter of events later than the allowed lateness
 *
 * <bucket> is the bucket's UTC start as `YYYY-MM-DDTHH:MMZ`. The `{<key>}` hash tag keeps
 * one key's buckets in one Redis Cluster slot, so a range query is a single-slot MGET or
 * PFCOUNT. Braces inside a key are percent-encoded so the tag stays intact.
 */
import type { ViewDef } from './view.js';

export function viewPrefix(namespace: string, view: Pick<ViewDef, 'name' | 'version'>): string {
  return `topo:${namespace}:${view.name}:v${view.version}`;
}

const bucketIds = new Map<number, string>();

/** Formatting a date per update showed in profiles; a run touches few distinct buckets, so cache them. */
export function bucketId(bucketStart: number): string {
  let id = bucketIds.get(bucketStart);
  if (id === undefined) {
    id = `${new Date(bucketStart).toISOString().slice(0, 16)}Z`;
    if (bucketIds.size > 100_000) bucketIds.clear();
    bucketIds.set(bucketStart, id);
  }
  return id;
}

export function parseBucketId(id: string): number {
  const t = Date.parse(id.replace(/Z$/, ':00Z'));
  if (Number.isNaN(t)) throw new Error(`not a bucket id: '${id}'`);
  return t;
}

function tag(key: string): string {
  return key.includes('{') || key.includes('}') ? key.replace(/\{/g, '%7B').replace(/\}/g, '%7D') : key;
}

export function valueKey(prefix: string, key: string, bucketStart: number): string {
  return `${prefix}:{${tag(key)}}:${bucketId(bucketStart)}`;
}

export function idsKey(prefix: string, key: string, bucketStart: number): string {
  return `${valueKey(prefix, key, bucketStart)}:ids`;
}

export function topKey(prefix: string, bucketStart: number): string {
  return `${prefix}:top:${bucketId(bucketStart)}`;
}

export function keysKey(prefix: string): string {
  return `${prefix}:keys`;
}

export function lateKey(prefix: string): string {
  return `${prefix}:late`;
}

/*
 * Batch views (the serving layer's half written by `topo batch`). Each run writes its views
 * under a version of their own, so a query never reads a half-written one, and one pointer
 * per view says which version is current:
 *
 *   <p>:b<id>                   batch prefix of run <id>; under it the same value, top and keys
 *                               keys as the realtime view (values are final: no TTL, no ids)
 *   <p>:b<id>:buckets           ZSET of the bucket starts the version holds (to delete it without SCAN)
 *   <p>:batch                   HASH pointer: current, watermark, previous, previousWatermark, publishedAt
 *   <p>:batches                 SET of batch ids written (a crashed run's version is found and removed)
 *   topo:<namespace>:batch:seq  INCR counter of batch run ids
 *   topo:<namespace>:batch:lease  who runs `topo batch` now (SET NX PX, renewed while running)
 */

export function batchPrefix(prefix: string, batchId: number): string {
  return `${prefix}:b${batchId}`;
}

export function batchBucketsKey(batchPrefixed: string): string {
  return `${batchPrefixed}:buckets`;
}

export function batchPointerKey(prefix: string): string {
  return `${prefix}:batch`;
}

export function batchVersionsKey(prefix: string): string {
  return `${prefix}:batches`;
}

export function batchSeqKey(namespace: string): string {
  return `topo:${namespace}:batch:seq`;
}

export function batchLeaseKey(namespace: string): string {
  return `topo:${namespace}:batch:lease`;
}
