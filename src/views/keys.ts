/**
 * The Redis key schema, in one place (the README shows it as a user sees it in redis-cli).
 * The same keys on a single Redis and on a Redis Cluster:
 *
 *   <p> = topo:<namespace>:<view>:v<version>          namespace = topology name unless set
 *   <p>:{<view>}:top:<bucket>        ZSET key -> value in that bucket. For count and sum the
 *                                    cells themselves (one key per bucket, one expiry); for
 *                                    the others the cell's score: counters' first field,
 *                                    distinct the cell's PFCOUNT
 *   <p>:{<view>:<key>}:<bucket>      value of one key in one bucket, kinds with a key per cell:
 *                                    HyperLogLog (distinct) or HASH of counters (counters)
 *   <p>:{<view>:<key>}:<bucket>:ids  SET of applied event ids (exactly-once counters views)
 *   <p>:{<view>}:ids:<bucket>        SET of `<key> NUL <id>` applied (exactly-once count/sum)
 *   <p>:{<view>}:buckets             ZSET bucket start -> bucket start: the buckets written (one entry
 *                                    per bucket, not per key: a view's keys are its buckets' top
 *                                    ZSETs' members, src/speed/read-keys.ts; entries whose bucket
 *                                    has expired are trimmed on write). A batch version has its own
 *   <p>:{<view>}:keys                ZSET key -> latest bucket start: the batch versions' key index
 *                                    (the realtime view's, before it had :buckets; read until it expires)
 *   <p>:{<view>}:late                STRING counter of events later than the allowed lateness
 *   <p>:{<view>}:realtime            ZSET bucket start -> until when the speed layer vouches for
 *                                    every cell of that bucket (src/speed/realtime-coverage.ts)
 *
 * <bucket> is the bucket's UTC start as `YYYY-MM-DDTHH:MMZ`, or `YYYY-MM-DDTHH:MM:SSZ` when
 * it does not start on a whole minute (views of buckets under a minute). The hash tags decide the Redis
 * Cluster slot: `{<view>:<key>}` keeps one key's buckets (and their id sets, and the batch
 * version's buckets of that key) in one slot, so a range query is one single-slot MGET or
 * PFCOUNT and an exactly-once check runs in the same script as its increment; `{<view>}`
 * keeps a view's per-bucket top ZSETs, keys index, late counter and batch pointer in one
 * slot, so a top over a range is one ZUNION (and a count view's value reads are one slot too). The view name is in both tags so two views of
 * the same key spread over the cluster. Braces inside a key are percent-encoded so the tag
 * stays intact.
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
    // Minutes as before for every bucket on a whole minute, so hourly keys never changed.
    id = `${new Date(bucketStart).toISOString().slice(0, bucketStart % 60_000 === 0 ? 16 : 19)}Z`;
    if (bucketIds.size > 100_000) bucketIds.clear();
    bucketIds.set(bucketStart, id);
  }
  return id;
}

const MINUTE_ID = /^\d{4}-\d\d-\d\dT\d\d:\d\dZ$/;
const SECOND_ID = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

export function parseBucketId(id: string): number {
  const t = MINUTE_ID.test(id) ? Date.parse(id.replace(/Z$/, ':00Z')) : SECOND_ID.test(id) ? Date.parse(id) : NaN;
  if (Number.isNaN(t)) throw new Error(`not a bucket id: '${id}'`);
  return t;
}

function escape(key: string): string {
  return key.includes('{') || key.includes('}') ? key.replace(/\{/g, '%7B').replace(/\}/g, '%7D') : key;
}

/** `topo:<ns>:<view>:v<n>` or a batch prefix `...:v<n>:b<id>`: the view name is the segment before `v<n>`. */
const PREFIX = /^topo:.+:([a-z0-9_-]+):v\d+(?::b\d+)?$/;
interface PrefixParts {
  readonly name: string;
  /** `<prefix>:{<view>:` (a value key continues with the key, `}:` and the bucket). */
  readonly keyHead: string;
  /** `<prefix>:{<view>}` (the view's own keys continue with `:top:...`, `:keys`, ...). */
  readonly viewHead: string;
}

const parts = new Map<string, PrefixParts>();

/**
 * The view name a prefix belongs to, for the hash tags, with the key heads built once (keys
 * are built per update on the writer's hot path). Taken from the prefix so every caller keeps
 * passing prefixes (realtime and batch alike: both must land in the same slots).
 */
function partsOf(prefix: string): PrefixParts {
  let p = parts.get(prefix);
  if (p === undefined) {
    const m = PREFIX.exec(prefix);
    if (m === null) throw new Error(`not a view key prefix: '${prefix}' (expected topo:<namespace>:<view>:v<version>[:b<id>])`);
    const name = m[1]!;
    p = { name, keyHead: `${prefix}:{${name}:`, viewHead: `${prefix}:{${name}}` };
    if (parts.size > 10_000) parts.clear();
    parts.set(prefix, p);
  }
  return p;
}

/** The hash tag of one key of a view: `{<view>:<key>}`. */
export function keyTag(prefix: string, key: string): string {
  return `{${partsOf(prefix).name}:${escape(key)}}`;
}

/** The hash tag of a view's own keys (top ZSETs, keys index, late counter, batch pointer): `{<view>}`. */
export function viewTag(prefix: string): string {
  return `{${partsOf(prefix).name}}`;
}

export function valueKey(prefix: string, key: string, bucketStart: number): string {
  return `${partsOf(prefix).keyHead}${escape(key)}}:${bucketId(bucketStart)}`;
}

/** A key as it stands in its value key (braces percent-encoded), or false when that is the key itself. */
export function escapedKey(key: string): string | false {
  const e = escape(key);
  return e === key ? false : e;
}

/** A value key is `valueKeyHead(prefix) + escaped key + valueKeyTail(bucket)` (the flush script builds them so). */
export function valueKeyHead(prefix: string): string {
  return partsOf(prefix).keyHead;
}

export function valueKeyTail(bucketStart: number): string {
  return `}:${bucketId(bucketStart)}`;
}

/** The applied event ids of an exactly-once count or sum view's bucket, `<key> NUL <id>` each. */
export function bucketIdsKey(prefix: string, bucketStart: number): string {
  return `${partsOf(prefix).viewHead}:ids:${bucketId(bucketStart)}`;
}

export function idsKey(prefix: string, key: string, bucketStart: number): string {
  return `${valueKey(prefix, key, bucketStart)}:ids`;
}

export function topKey(prefix: string, bucketStart: number): string {
  return `${partsOf(prefix).viewHead}:top:${bucketId(bucketStart)}`;
}

/** The buckets a realtime view or a batch version holds: bucket start -> bucket start. */
export function bucketsKey(prefix: string): string {
  return `${partsOf(prefix).viewHead}:buckets`;
}

export function keysKey(prefix: string): string {
  return `${partsOf(prefix).viewHead}:keys`;
}

export function lateKey(prefix: string): string {
  return `${partsOf(prefix).viewHead}:late`;
}

export function realtimeKey(prefix: string): string {
  return `${partsOf(prefix).viewHead}:realtime`;
}

/*
 * Batch views (the serving layer's half written by `topo batch`). Each run writes its views
 * under a version of their own, so a query never reads a half-written one, and one pointer
 * per view says which version is current:
 *
 *   <p>:b<id>                   batch prefix of run <id>; under it the same value, top and keys
 *                               keys as the realtime view, with the same hash tags (so a key's
 *                               batch and realtime buckets share a slot); values are final
 *   <p>:b<id>:{<view>}:buckets  ZSET of the bucket starts the version holds (to delete it without SCAN)
 *   <p>:{<view>}:batch          HASH pointer: current, watermark, previous, previousWatermark, publishedAt
 *   <p>:{<view>}:batches        SET of batch ids written (a crashed run's version is found and removed)
 *   topo:<namespace>:batch:seq  INCR counter of batch run ids
 *   topo:<namespace>:batch:lease  who runs `topo batch` now (SET NX PX, renewed while running)
 */

export function batchPrefix(prefix: string, batchId: number): string {
  return `${prefix}:b${batchId}`;
}

export function batchBucketsKey(batchPrefixed: string): string {
  return bucketsKey(batchPrefixed);
}

export function batchPointerKey(prefix: string): string {
  return `${partsOf(prefix).viewHead}:batch`;
}

export function batchVersionsKey(prefix: string): string {
  return `${partsOf(prefix).viewHead}:batches`;
}

export function batchSeqKey(namespace: string): string {
  return `topo:${namespace}:batch:seq`;
}

export function batchLeaseKey(namespace: string): string {
  return `topo:${namespace}:batch:lease`;
}
