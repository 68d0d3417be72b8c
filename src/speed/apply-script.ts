/**
 * The Lua script that applies one flush, and the encoder that turns a flush into its KEYS
 * and ARGV.
 *
 * Why one script per flush: a script runs atomically, so a flush is applied entirely or not
 * at all, and an event's exactly-once check (SADD of its id) and its increments can never be
 * separated by a crash or a concurrent writer. If the reply is lost (timeout, connection
 * reset) the writer retries the whole flush: the idempotent parts (PFADD, ZADD to the keys
 * index, PEXPIREAT, SADD-guarded increments of exactly-once views) do nothing the second
 * time, and only the plain INCRBY/HINCRBY/ZINCRBY of at-least-once views apply twice, which is
 * the at-least-once promise.
 *
 * Key names are built here from src/views/keys.ts and passed as KEYS, so the schema lives in
 * one place. The ARGV stream is a list of records, each consuming KEYS and ARGV from cursors:
 *
 *   'i'|'f'  eo expireAt key bucket count  then count x (id n) if eo, else one n
 *            KEYS value top keysIndex [ids]      INCRBY ('i') or INCRBYFLOAT ('f')
 *   'h'      eo expireAt key bucket count  then count x ([id] k field1 n1 .. fieldk nk)
 *            KEYS value top keysIndex [ids]      HINCRBY, first field scores the top ZSET
 *   'd'      eo expireAt key bucket count member1 .. membern
 *            KEYS value top keysIndex            PFADD, then ZADD top with the bucket's PFCOUNT
 *   'l'      n                 KEYS late         INCRBY of the late counter
 *   'k'      minBucket         KEYS keysIndex    drop index entries whose last bucket expired
 *
 * The script returns the number of exactly-once events skipped as already applied.
 */
import type { ViewUpdate } from '../views/view.js';
import { idsKey, keysKey, lateKey, topKey, valueKey, viewPrefix } from '../views/keys.js';
import { expiryOf, type StoreView } from './store.js';

export const APPLY_FLUSH_LUA = `
local ki, ai, skipped = 1, 1, 0
local expired = {}
-- Keys shared by many records (top ZSET, keys index) get their TTL pushed forward only
-- when the new expiry is later, and only once per script.
local function extend(key, at)
  local prev = expired[key]
  if prev and prev >= at then return end
  expired[key] = at
  local cur = redis.call('PEXPIRETIME', key)
  if cur < 0 or cur < at then redis.call('PEXPIREAT', key, at) end
end
while ai <= #ARGV do
  local kind = ARGV[ai]
  if kind == 'l' then
    redis.call('INCRBY', KEYS[ki], ARGV[ai + 1])
    ki, ai = ki + 1, ai + 2
  elseif kind == 'k' then
    redis.call('ZREMRANGEBYSCORE', KEYS[ki], '-inf', '(' .. ARGV[ai + 1])
    ki, ai = ki + 1, ai + 2
  else
    local eo = ARGV[ai + 1] == '1' and kind ~= 'd'
    local at, key, bucket, count = tonumber(ARGV[ai + 2]), ARGV[ai + 3], ARGV[ai + 4], tonumber(ARGV[ai + 5])
    local vk, tk, xk = KEYS[ki], KEYS[ki + 1], KEYS[ki + 2]
    local ids = eo and KEYS[ki + 3] or nil
    ki = ki + (eo and 4 or 3)
    ai = ai + 6
    local score, touched = 0, false
    if kind == 'd' then
      -- unpack is bounded by Lua's C stack (about 8000 values): add in chunks.
      for from = ai, ai + count - 1, 1000 do
        redis.call('PFADD', vk, unpack(ARGV, from, math.min(from + 999, ai + count - 1)))
      end
      ai = ai + count
      touched = true
    else
      for _ = 1, count do
        local fresh = true
        if eo then
          fresh = redis.call('SADD', ids, ARGV[ai]) == 1
          ai = ai + 1
          if not fresh then skipped = skipped + 1 end
        end
        if kind == 'h' then
          local k = tonumber(ARGV[ai])
          if fresh then
            for j = 1, k do
              redis.call('HINCRBY', vk, ARGV[ai + 2 * j - 1], ARGV[ai + 2 * j])
            end
            score = score + tonumber(ARGV[ai + 2])
            touched = true
          end
          ai = ai + 1 + 2 * k
        else
          if fresh then
            redis.call(kind == 'i' and 'INCRBY' or 'INCRBYFLOAT', vk, ARGV[ai])
            score = score + tonumber(ARGV[ai])
            touched = true
          end
          ai = ai + 1
        end
      end
      if ids then redis.call('PEXPIREAT', ids, at) end
    end
    if touched then
      redis.call('PEXPIREAT', vk, at)
      if kind == 'd' then
        redis.call('ZADD', tk, redis.call('PFCOUNT', vk), key)
      else
        redis.call('ZINCRBY', tk, score, key)
      end
      extend(tk, at)
      redis.call('ZADD', xk, 'GT', bucket, key)
      extend(xk, at)
    end
  end
end
return skipped
`;

export interface EncodedFlush {
  readonly keys: string[];
  readonly argv: string[];
}

type Group = { view: StoreView; key: string; bucket: number; list: ViewUpdate[] };

/**
 * Encode a flush for APPLY_FLUSH_LUA. Updates of one (view, key, bucket) become one record:
 * plain views sum their amounts, distinct views send every member in one PFADD, exactly-once
 * views keep one entry per event id (entries with the same id are summed first).
 */
export function encodeFlush(
  updates: readonly ViewUpdate[],
  byName: ReadonlyMap<string, StoreView>,
  namespace: string,
  late: Readonly<Record<string, number>>,
  now: number,
): EncodedFlush {
  const groups = new Map<string, Group>();
  for (const u of updates) {
    const g = `${u.view}\u0000${u.bucket}\u0000${u.key}`;
    let group = groups.get(g);
    if (group === undefined) groups.set(g, (group = { view: byName.get(u.view)!, key: u.key, bucket: u.bucket, list: [] }));
    group.list.push(u);
  }
  const keys: string[] = [];
  const argv: string[] = [];
  const prefixes = new Map<string, string>();
  const prefixOf = (v: StoreView): string => {
    let p = prefixes.get(v.name);
    if (p === undefined) prefixes.set(v.name, (p = viewPrefix(namespace, v)));
    return p;
  };
  for (const { view, key, bucket, list } of groups.values()) {
    const p = prefixOf(view);
    const kind = view.aggregation.kind;
    const eo = view.exactlyOnce && kind !== 'distinct';
    const code = kind === 'count' ? 'i' : kind === 'sum' ? 'f' : kind === 'distinct' ? 'd' : 'h';
    keys.push(valueKey(p, key, bucket), topKey(p, bucket), keysKey(p));
    if (eo) keys.push(idsKey(p, key, bucket));
    const head = [code, eo ? '1' : '0', String(expiryOf(view, bucket)), key, String(bucket)];
    if (code === 'd') {
      const members = new Set<string>();
      for (const u of list) if (u.member !== undefined) members.add(u.member);
      if (members.size === 0) {
        keys.length -= 3;
        continue;
      }
      argv.push(...head, String(members.size), ...members);
    } else if (eo) {
      const byId = new Map<string, ViewUpdate[]>();
      for (const u of list) {
        if (u.id === undefined) throw new Error(`view '${view.name}' is exactly-once: update for key '${u.key}' has no event id`);
        const same = byId.get(u.id);
        if (same) same.push(u);
        else byId.set(u.id, [u]);
      }
      argv.push(...head, String(byId.size));
      for (const [id, same] of byId) argv.push(id, ...amounts(view, code, same));
    } else {
      argv.push(...head, '1', ...amounts(view, code, list));
    }
  }
  for (const [name, n] of Object.entries(late)) {
    const view = byName.get(name);
    if (view === undefined || n <= 0) continue;
    keys.push(lateKey(prefixOf(view)));
    argv.push('l', String(n));
  }
  // Index entries whose latest bucket is more than the TTL older than the newest bucket this
  // flush writes point at nothing any more. Measured from the data's own clock, not the wall
  // clock: a replayed old log (whose buckets live for the TTL after their write) keeps its index.
  const newest = new Map<StoreView, number>();
  for (const g of groups.values()) newest.set(g.view, Math.max(newest.get(g.view) ?? -Infinity, g.bucket));
  for (const [view, bucket] of newest) {
    keys.push(keysKey(prefixOf(view)));
    argv.push('k', String(Math.min(now, bucket + view.bucketMs) - view.ttlMs - view.bucketMs));
  }
  return { keys, argv };
}

/**
 * One record's amount: a summed n, or `k field n ...` of summed counters with the view's
 * first field first (it scores the top ZSET). Checked here because a Redis script that
 * errors halfway keeps the writes it already made: bad input must never reach it.
 */
function amounts(view: StoreView, code: string, list: readonly ViewUpdate[]): string[] {
  const a = view.aggregation;
  if (a.kind !== 'counters') {
    let n = 0;
    for (const u of list) n += u.n ?? 0;
    if (!Number.isFinite(n) || (code === 'i' && !Number.isSafeInteger(n))) {
      throw new Error(`view '${view.name}': ${a.kind} amount must be ${code === 'i' ? 'an integer' : 'a finite number'}, got ${n}`);
    }
    return [String(n)];
  }
  const sums = new Map<string, number>([[a.fields[0]!, 0]]);
  for (const u of list) for (const [f, n] of Object.entries(u.fields ?? {})) sums.set(f, (sums.get(f) ?? 0) + n);
  const out = [String(sums.size)];
  for (const [f, n] of sums) {
    if (!Number.isSafeInteger(n)) throw new Error(`view '${view.name}': counter '${f}' must be an integer, got ${n}`);
    out.push(f, String(n));
  }
  return out;
}
