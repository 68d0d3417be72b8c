/**
 * How a reducer or combine task writes the cells it is the only writer of (a plain view whose
 * cells all fall in one partition of the key shuffle, see worker.ts, or the summed parts of a
 * key partition's cells, see combine.ts): no merge, no script, no read. A key's cells all sit
 * with one writer, so its keys-index entry is written once too. Each value is written once,
 * with the cheapest command that makes it:
 *
 *   count/sum   MSET of many value keys (the final number)
 *   distinct    one PFADD per cell with all its members
 *   counters    one HSET per cell (reducer views' cells, summed by a combine task first)
 *   top ZSETs   ZADDs per bucket, 500 keys each (score = the value; for distinct the
 *               exact member count, which PFCOUNT of the HyperLogLog estimates)
 *   keys index  ZADD of each key's latest bucket
 *   buckets     one ZADD of the buckets this writer wrote (every writer adds the same members)
 *
 * About 1 command per uniques cell and 1/500 per pageviews cell, against ~5 commands in a Lua
 * script per cell part for the merges this replaced, which capped a run near 50 k events/s.
 * Commands are encoded straight into one buffer (resp.ts) and sent in 256 KiB chunks, one in
 * flight while the next is encoded, so Redis works while the thread builds the next.
 * The key schema is views/keys.ts's, the same as the speed layer's.
 */
import { batchBucketsKey, batchPrefix, keysKey, topKey, valueKey, viewPrefix } from '../../views/keys.js';
import type { Aggregation } from '../../views/view.js';
import type { BatchAggregate, Cell } from './aggregate.js';
import { RespWriter } from './resp.js';
import type { VersionTarget } from './target.js';

/**
 * Members or key/value pairs per command: a command runs whole, and one of a few hundred
 * microseconds keeps the queries Redis serves meanwhile fast. Bytes encoded per send.
 */
const PER_COMMAND = 500;
const PER_SEND = 256 << 10;

/** Write the cells of `agg` whose bucket passes `keep` into the view's fresh batch version; returns how many. */
export async function writeCells(t: VersionTarget, view: { name: string; version: number; aggregation: Aggregation }, agg: BatchAggregate, keep: (bucket: number) => boolean): Promise<number> {
  const a = view.aggregation;
  const kind = a.kind;
  const bp = batchPrefix(viewPrefix(t.namespace, view), t.batchId);
  const w = RespWriter.open(t.redis);
  try {
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
      if (kind === 'distinct') writeMembers(w, bp, bucket, byKey);
      else if (kind === 'counters') writeFields(w, bp, bucket, byKey);
      else writeNumbers(w, bp, bucket, byKey);
      writeTop(w, topKey(bp, bucket), byKey, a.kind === 'counters' ? a.fields[0]! : null);
      if (w.buffered >= PER_SEND) await w.send();
    }
    const kidx = keysKey(bp);
    chunked(w, 'ZADD', kidx, latest.size, latest, (k, b) => {
      w.num(b).arg(k);
    });
    const bidx = batchBucketsKey(bp);
    chunked(w, 'ZADD', bidx, buckets.length, buckets.entries(), (_, b) => {
      w.num(b).num(b);
    });
    await w.end();
    return cells;
  } catch (err) {
    w.destroy();
    throw err;
  }
}

/** `name target` then `count` items of two arguments each, PER_COMMAND items per command. */
function chunked<K, V>(w: RespWriter, name: string, target: string, count: number, items: Iterable<[K, V]>, write: (k: K, v: V) => void): void {
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

/** count/sum: MSET of the final values. */
function writeNumbers(w: RespWriter, bp: string, bucket: number, byKey: ReadonlyMap<string, Cell>): void {
  let left = 0, remaining = byKey.size;
  for (const c of byKey.values()) {
    if (left === 0) {
      left = Math.min(PER_COMMAND, remaining);
      remaining -= left;
      w.command('MSET', 2 * left);
    }
    w.arg(valueKey(bp, c.key, bucket)).num(c.n);
    left--;
  }
}

/** distinct: one PFADD per cell with its members (PER_COMMAND at a time). */
function writeMembers(w: RespWriter, bp: string, bucket: number, byKey: ReadonlyMap<string, Cell>): void {
  for (const c of byKey.values()) {
    const vk = valueKey(bp, c.key, bucket);
    if (c.members === null) {
      // No member (a reducer's update without one): an empty HyperLogLog, as PFADD of none makes.
      if (c.one === null) w.command('PFADD', 1).arg(vk);
      else w.command('PFADD', 2).arg(vk).arg(c.one);
      continue;
    }
    if (c.members.size <= PER_COMMAND) {
      w.command('PFADD', 1 + c.members.size).arg(vk);
      for (const m of c.members) w.arg(m);
      continue;
    }
    const all = [...c.members];
    for (let i = 0; i < all.length; i += PER_COMMAND) {
      const part = all.slice(i, i + PER_COMMAND);
      w.command('PFADD', 1 + part.length).arg(vk);
      for (const m of part) w.arg(m);
    }
  }
}

/** counters: one HSET per cell with every counter it has (the speed layer HINCRBYs the same fields). */
function writeFields(w: RespWriter, bp: string, bucket: number, byKey: ReadonlyMap<string, Cell>): void {
  for (const c of byKey.values()) {
    const fields = Object.entries(c.fields!);
    // A cell without counters is an empty hash, which Redis does not keep: nothing to write.
    if (fields.length === 0) continue;
    w.command('HSET', 1 + 2 * fields.length).arg(valueKey(bp, c.key, bucket));
    for (const [f, n] of fields) w.arg(f).num(n);
  }
}

/**
 * The bucket's top ZSET: every key scored by its value (distinct: the exact member count,
 * `n`; counters: the first counter, as the speed layer scores them).
 */
function writeTop(w: RespWriter, tk: string, byKey: ReadonlyMap<string, Cell>, firstField: string | null): void {
  chunked(w, 'ZADD', tk, byKey.size, byKey, (key, c) => {
    w.num(firstField === null ? c.n : c.fields![firstField] ?? 0).arg(key);
  });
}
