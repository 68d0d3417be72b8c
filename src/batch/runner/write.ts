/**
 * How a reducer or combine task writes the cells it is the only writer of (a plain view whose
 * cells all fall in one partition of the key shuffle, see worker.ts, or the summed parts of a
 * key partition's cells, see combine.ts): no merge, no script, no read. A key's cells all sit
 * with one writer, so its keys-index entry is written once too. Each value is written once,
 * with the cheapest command that makes it, which is the view kind's to say (writeBucket in
 * src/views/kinds/<kind>.ts):
 *
 *   count/sum   nothing but the top ZSET (its scores are the cells, src/views/kinds/numeric.ts)
 *   distinct    one PFADD per cell with all its members
 *   counters    one HSET per cell (reducer views' cells, summed by a combine task first)
 *   top ZSETs   ZADDs per bucket, 500 keys each (score = the kind's score of the cell; for
 *               distinct the exact member count, which PFCOUNT of the HyperLogLog estimates)
 *   keys index  ZADD of each key's latest bucket
 *   buckets     one ZADD of the buckets this writer wrote (every writer adds the same members)
 *
 * About 1 command per uniques cell and 1/500 per pageviews cell (its top entry), against ~5 commands in a Lua
 * script per cell part for the merges this replaced, which capped a run near 50 k events/s.
 * Commands are encoded straight into buffers (resp-encoder.ts) in the pool thread and sent by the
 * main thread (compute.ts), whose event loop is free: a pool thread busy with its next task
 * cannot keep a socket fed, and its tasks then waited for Redis with the CPU idle.
 * The key schema is views/keys.ts's, the same as the speed layer's.
 */
import { batchBucketsKey, batchPrefix, keysKey, topKey, viewPrefix } from '../../views/keys.js';
import { PER_COMMAND, type Aggregator } from '../../views/kinds/index.js';
import type { BatchAggregate, Cell } from './aggregate.js';
import type { RespEncoder } from './resp-encoder.js';
import { RespWriter } from './resp-writer.js';
import type { VersionTarget } from './target.js';

/** Bytes encoded per chunk (commands hold PER_COMMAND members or pairs at most: kinds/kind.ts). */
const PER_CHUNK = 1 << 20;

/** Encode the cells of `agg` whose bucket passes `keep` into the view's fresh batch version; returns how many. */
export function encodeCells(w: RespEncoder, t: Pick<VersionTarget, 'namespace' | 'batchId'>, view: { name: string; version: number }, agg: BatchAggregate, keep: (bucket: number) => boolean): number {
  const kind = agg.agg;
  const bp = batchPrefix(viewPrefix(t.namespace, view), t.batchId);
  const latest = new Map<string, number>();
  const buckets: number[] = [];
  let cells = 0;
  for (const [bucket, byKey] of agg.bucketsOf(keep)) {
    buckets.push(bucket);
    cells += byKey.size;
    for (const c of byKey.values()) {
      const last = latest.get(c.key);
      if (last === undefined || bucket > last) latest.set(c.key, bucket);
    }
    kind.writeBucket(w, bp, bucket, byKey);
    writeTop(w, topKey(bp, bucket), byKey, kind);
    if (w.buffered >= PER_CHUNK) w.cut();
  }
  const kidx = keysKey(bp);
  chunked(w, 'ZADD', kidx, latest.size, latest, (k, b) => {
    w.num(b).arg(k);
  });
  const bidx = batchBucketsKey(bp);
  chunked(w, 'ZADD', bidx, buckets.length, buckets.entries(), (_, b) => {
    w.num(b).num(b);
  });
  return cells;
}

/** encodeCells, written from this thread over a connection of its own. */
export async function writeCells(t: VersionTarget, view: { name: string; version: number }, agg: BatchAggregate, keep: (bucket: number) => boolean): Promise<number> {
  const w = RespWriter.open(t.redis);
  try {
    const cells = encodeCells(w, t, view, agg, keep);
    await w.end();
    return cells;
  } catch (err) {
    w.destroy();
    throw err;
  }
}

/** `name target` then `count` items of two arguments each, PER_COMMAND items per command. */
function chunked<K, V>(w: RespEncoder, name: string, target: string, count: number, items: Iterable<[K, V]>, write: (k: K, v: V) => void): void {
  let left = 0, remaining = count;
  for (const [k, v] of items) {
    if (left === 0) {
      left = Math.min(PER_COMMAND, remaining);
      remaining -= left;
      w.command(name, 1 + 2 * left).arg(target);
    }
    write(k, v);
    left--;
  }
  if (left !== 0 || remaining !== 0) throw new Error(`batch writer: ${count} items announced, ${count - remaining - left} given`);
}

/** The bucket's top ZSET: every key scored by its kind (as the speed layer's script scores it). */
function writeTop(w: RespEncoder, tk: string, byKey: ReadonlyMap<string, Cell>, kind: Aggregator): void {
  chunked(w, 'ZADD', tk, byKey.size, byKey, (key, c) => {
    w.num(kind.score(c.m)).arg(key);
  });
}
