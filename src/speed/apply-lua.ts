/**
 * The Lua script that applies a flush, or one slot's or one view's part of it on a Redis
 * Cluster. Its records, the reply and why the top ZSET is set rather than incremented are
 * described in apply-script.ts, which builds the records. A value record is applied by its
 * aggregation kind's own Lua (`lua.apply` / `lua.read` of src/views/kinds/<kind>.ts): the
 * script is built from the registered kinds, once per registry state, so a new kind brings
 * its branch with it.
 *
 * On one Redis the records come packed: KEYS empty and ARGV `{'P', <msgpack [keys, argv]>}`,
 * unpacked here by Redis's built-in cmsgpack. One bulk string instead of ~15 per cell: the
 * client's per-argument work (the writer's largest cost after GC) is gone, and Redis parses
 * one argument. A standalone Redis lets a script use keys it was not given (a cluster does
 * not: there the calls declare their keys, unpacked, one slot each).
 */
import { createHash } from 'node:crypto';
import { kindsVersion, registeredKinds, type AggregationKind } from '../views/kinds/index.js';

/**
 * One branch per kind, on the record's kind name: `if kind == 'count' then ... elseif ...`.
 * Inlined rather than called through a table of functions, which cost the script ~5%.
 */
function branches(kinds: readonly AggregationKind[], part: 'apply' | 'read', indent: string, otherwise: string): string {
  const body = (lua: string): string => lua.split('\n').map((line) => `${indent}  ${line.trim()}`).join('\n');
  const arms = kinds.map((k, n) => `${indent}${n === 0 ? 'if' : 'elseif'} kind == '${k.name}' then\n${body(k.lua[part])}`);
  return `${arms.join('\n')}\n${indent}else\n${body(otherwise)}\n${indent}end`;
}

/** The script for these kinds. */
export function applyFlushLua(kinds: readonly AggregationKind[]): string {
  return `
-- Packed form (one Redis, see redis-store.ts): ARGV = {'P', msgpack([keys, argv])}, no KEYS.
local K, A = KEYS, ARGV
if A[1] == 'P' and #A == 2 then
  local p = cmsgpack.unpack(A[2])
  K, A = p[1], p[2]
end
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
while ai <= #A do
  local kind = A[ai]
  if kind == 'l' then
    redis.call('INCRBY', K[ki], A[ai + 1])
    ki, ai = ki + 1, ai + 2
  elseif kind == 'k' then
    redis.call('ZREMRANGEBYSCORE', K[ki], '-inf', '(' .. A[ai + 1])
    ki, ai = ki + 1, ai + 2
  elseif kind == 't' then
    local mode, at, key, bucket, score = A[ai + 1], tonumber(A[ai + 2]), A[ai + 3], A[ai + 4], A[ai + 5]
    local tk, xk = K[ki], K[ki + 1]
    ki, ai = ki + 2, ai + 6
    if string.sub(score, 1, 1) == '#' then score = scores[tonumber(string.sub(score, 2))] end
    if score ~= '' then
      if mode == '>' then redis.call('ZADD', tk, 'GT', score, key) else redis.call('ZADD', tk, score, key) end
      extend(tk, at)
      redis.call('ZADD', xk, 'GT', bucket, key)
      extend(xk, at)
    end
  else
    local eo = A[ai + 1] == '1'
    local at, first, count = tonumber(A[ai + 2]), A[ai + 3], tonumber(A[ai + 4])
    local vk = K[ki]
    local ids = eo and K[ki + 1] or nil
    ki = ki + (eo and 2 or 1)
    ai = ai + 5
    local touched, score = false, nil
    for _ = 1, count do
      local fresh = true
      if eo then
        fresh = redis.call('SADD', ids, A[ai]) == 1
        ai = ai + 1
        if not fresh then skipped = skipped + 1 end
      end
      -- Every amount is k then k arguments: one skipped as applied is stepped over unread.
      local i, k = ai + 1, tonumber(A[ai])
      if fresh then
${branches(kinds, 'apply', '        ', "return redis.error_reply('topo flush script: no aggregation kind ' .. tostring(kind))")}
        touched = true
      end
      ai = ai + 1 + k
    end
    if ids then redis.call('PEXPIREAT', ids, at) end
    if touched then redis.call('PEXPIREAT', vk, at) end
    -- The value after this record (read when every event was skipped).
    if score == nil then
${branches(kinds, 'read', '      ', 'score = false')}
    end
    -- A missing cell (every event skipped, the bucket expired since) gets no top entry.
    if not score then score = '' else score = tostring(score) end
    scores[#scores + 1] = score
  end
end
local out = {skipped}
for i = 1, #scores do out[i + 1] = scores[i] end
return out
`;
}

let cached: { version: number; lua: string; sha: string } | null = null;

/** The script of the kinds registered now, and its SHA1 (for EVALSHA); rebuilt only after a registration. */
export function flushScript(): { readonly lua: string; readonly sha: string } {
  if (cached === null || cached.version !== kindsVersion()) {
    const lua = applyFlushLua(registeredKinds());
    cached = { version: kindsVersion(), lua, sha: createHash('sha1').update(lua).digest('hex') };
  }
  return cached;
}
