/**
 * The Lua script that applies a flush (or one slot's part of it), and the encoder that turns
 * a flush into its records.
 *
 * Why scripts: a script runs atomically, so an event's exactly-once check (SADD of its id)
 * and its increments can never be separated by a crash or a concurrent writer. Both live in
 * the slot of `{<view>:<key>}` (src/views/keys.ts), so that holds on a Redis Cluster too.
 *
 * The records, each consuming KEYS and ARGV from cursors:
 *
 *   'i'|'f'  eo expireAt - count   then count x (id n) if eo, else one n
 *            KEYS value [ids]             INCRBY ('i') or INCRBYFLOAT ('f')
 *   'h'      eo expireAt field1 count then count x ([id] k field1 n1 .. fieldk nk)
 *            KEYS value [ids]             HINCRBY
 *   'd'      0 expireAt - count member1 .. membern
 *            KEYS value                   PFADD
 *   't'      mode expireAt key bucket score
 *            KEYS top keysIndex           ZADD top (mode '=': plain, '>': GT), ZADD GT keys index
 *   'l'      n            KEYS late       INCRBY of the late counter
 *   'k'      minBucket    KEYS keysIndex  drop index entries whose last bucket expired
 *
 * A value record leaves the cell's value after the write (the count, sum, first counter or
 * PFCOUNT; '' when the cell does not exist) as its score; a top record's score is a number
 * or `#i`, the score of this script's i-th value record. The script returns
 * `{skipped, score1, score2, ...}`: exactly-once events skipped as already applied, and the
 * value records' scores in order.
 *
 * The top ZSET holds each cell's value, not a sum of increments: setting it is idempotent,
 * so a retried flush can never count the top twice, and on a cluster (where the top ZSET is
 * in the view's slot, not the cell's) it is written in a second call with ZADD GT, which
 * keeps the latest of racing writers' values for values that only grow (every shipped view).
 * On a single Redis the whole flush is one script and the top is set exactly.
 */
import type { ViewUpdate } from '../views/view.js';
import { idsKey, keysKey, lateKey, topKey, valueKey, viewPrefix } from '../views/keys.js';
import { expiryOf, type StoreView } from './store.js';

export const APPLY_FLUSH_LUA = `
local ki, ai, skipped = 1, 1, 0
local scores = {}
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
  elseif kind == 't' then
    local mode, at, key, bucket, score = ARGV[ai + 1], tonumber(ARGV[ai + 2]), ARGV[ai + 3], ARGV[ai + 4], ARGV[ai + 5]
    local tk, xk = KEYS[ki], KEYS[ki + 1]
    ki, ai = ki + 2, ai + 6
    if string.sub(score, 1, 1) == '#' then score = scores[tonumber(string.sub(score, 2))] end
    if score ~= '' then
      if mode == '>' then redis.call('ZADD', tk, 'GT', score, key) else redis.call('ZADD', tk, score, key) end
      extend(tk, at)
      redis.call('ZADD', xk, 'GT', bucket, key)
      extend(xk, at)
    end
  else
    local eo = ARGV[ai + 1] == '1'
    local at, first, count = tonumber(ARGV[ai + 2]), ARGV[ai + 3], tonumber(ARGV[ai + 4])
    local vk = KEYS[ki]
    local ids = eo and KEYS[ki + 1] or nil
    ki = ki + (eo and 2 or 1)
    ai = ai + 5
    local touched = false
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
            touched = true
          end
          ai = ai + 1 + 2 * k
        else
          if fresh then
            redis.call(kind == 'i' and 'INCRBY' or 'INCRBYFLOAT', vk, ARGV[ai])
            touched = true
          end
          ai = ai + 1
        end
      end
      if ids then redis.call('PEXPIREAT', ids, at) end
    end
    if touched then redis.call('PEXPIREAT', vk, at) end
    local score
    if kind == 'd' then score = redis.call('PFCOUNT', vk)
    elseif kind == 'h' then score = redis.call('HGET', vk, first)
    else score = redis.call('GET', vk) end
    -- A missing cell (every event skipped, the bucket expired since) gets no top entry.
    if not score then score = '' elseif kind == 'd' then score = tostring(score) end
    scores[#scores + 1] = score
  end
end
local out = {skipped}
for i = 1, #scores do out[i + 1] = scores[i] end
return out
`;

/** One (view, key, bucket): its value record, and what its top record needs. */
export interface CellRecord {
  readonly view: StoreView;
  readonly key: string;
  readonly bucket: number;
  readonly expireAt: number;
  /** The value key: its hash tag decides the slot. */
  readonly valueKey: string;
  readonly topKey: string;
  readonly keysKey: string;
  readonly keys: readonly string[];
  readonly argv: readonly string[];
}

/** A view's own records ('l', 'k'), written in the view's slot. */
export interface ViewRecords {
  readonly view: StoreView;
  readonly keys: string[];
  readonly argv: string[];
}

export interface EncodedFlush {
  readonly cells: readonly CellRecord[];
  /** view name -> its late and index-trim records (only views this flush touches). */
  readonly views: ReadonlyMap<string, ViewRecords>;
}

type Group = { view: StoreView; key: string; bucket: number; list: ViewUpdate[] };

/**
 * Encode a flush. Updates of one (view, key, bucket) become one record: plain views sum
 * their amounts, distinct views send every member in one PFADD, exactly-once views keep one
 * entry per event id (entries with the same id are summed first).
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
  const cells: CellRecord[] = [];
  const views = new Map<string, ViewRecords>();
  const prefixes = new Map<string, string>();
  const prefixOf = (v: StoreView): string => {
    let p = prefixes.get(v.name);
    if (p === undefined) prefixes.set(v.name, (p = viewPrefix(namespace, v)));
    return p;
  };
  const recordsOf = (v: StoreView): ViewRecords => {
    let r = views.get(v.name);
    if (r === undefined) views.set(v.name, (r = { view: v, keys: [], argv: [] }));
    return r;
  };
  for (const { view, key, bucket, list } of groups.values()) {
    const p = prefixOf(view);
    const a = view.aggregation;
    const eo = view.exactlyOnce && a.kind !== 'distinct';
    const code = a.kind === 'count' ? 'i' : a.kind === 'sum' ? 'f' : a.kind === 'distinct' ? 'd' : 'h';
    const vk = valueKey(p, key, bucket);
    const keys = eo ? [vk, idsKey(p, key, bucket)] : [vk];
    const expireAt = expiryOf(view, bucket);
    const head = [code, eo ? '1' : '0', String(expireAt), a.kind === 'counters' ? a.fields[0]! : '-'];
    let argv: string[];
    if (code === 'd') {
      const members = new Set<string>();
      for (const u of list) if (u.member !== undefined) members.add(u.member);
      if (members.size === 0) continue;
      argv = [...head, String(members.size), ...members];
    } else if (eo) {
      const byId = new Map<string, ViewUpdate[]>();
      for (const u of list) {
        if (u.id === undefined) throw new Error(`view '${view.name}' is exactly-once: update for key '${u.key}' has no event id`);
        const same = byId.get(u.id);
        if (same) same.push(u);
        else byId.set(u.id, [u]);
      }
      argv = [...head, String(byId.size)];
      for (const [id, same] of byId) argv.push(id, ...amounts(view, code, same));
    } else {
      argv = [...head, '1', ...amounts(view, code, list)];
    }
    cells.push({ view, key, bucket, expireAt, valueKey: vk, topKey: topKey(p, bucket), keysKey: keysKey(p), keys, argv });
  }
  for (const [name, n] of Object.entries(late)) {
    const view = byName.get(name);
    if (view === undefined || n <= 0) continue;
    const r = recordsOf(view);
    r.keys.push(lateKey(prefixOf(view)));
    r.argv.push('l', String(n));
  }
  // Index entries whose latest bucket is more than the TTL older than the newest bucket this
  // flush writes point at nothing any more. Measured from the data's own clock, not the wall
  // clock: a replayed old log (whose buckets live for the TTL after their write) keeps its index.
  const newest = new Map<StoreView, number>();
  for (const g of groups.values()) newest.set(g.view, Math.max(newest.get(g.view) ?? -Infinity, g.bucket));
  for (const [view, bucket] of newest) {
    const r = recordsOf(view);
    r.keys.push(keysKey(prefixOf(view)));
    r.argv.push('k', String(Math.min(now, bucket + view.bucketMs) - view.ttlMs - view.bucketMs));
  }
  return { cells, views };
}

/** A cell's top record; `score` is a number as a string, or `#i` (the i-th value record of the same script). */
export function topRecord(cell: CellRecord, mode: '=' | '>', score: string): { keys: string[]; argv: string[] } {
  return { keys: [cell.topKey, cell.keysKey], argv: ['t', mode, String(cell.expireAt), cell.key, String(cell.bucket), score] };
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
