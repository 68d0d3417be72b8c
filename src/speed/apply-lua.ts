/**
 * The Lua script that applies a flush, or one slot's or one view's part of it on a Redis
 * Cluster. Its records and reply are described in apply-script.ts, which builds them. A value
 * record is applied by its aggregation kind's own Lua (`lua.record` of
 * src/views/kinds/<kind>.ts, with the locals and helpers kinds/kind.ts lists): the script is
 * built from the registered kinds, once per registry state, so a new kind brings its branch.
 *
 * The records come packed: ARGV `{'P', <msgpack records>}`, unpacked here by Redis's built-in
 * cmsgpack, numbers as numbers. One bulk string instead of an argument per field: the
 * client's per-argument work was the writer's largest cost after GC, and Redis parses one
 * argument. KEYS only route and declare a cluster call (its keys, all in one slot); a
 * standalone Redis lets a script use keys it was not given, so there they are empty.
 *
 * Redis's cost is in its calls (each redis.call converts its arguments and reply and looks up
 * its command and key) and in the Lua run per cell, so the script makes few and keeps per-cell
 * work small: a bucket's new top scores go out as one ZADD, the buckets written as one ZADD
 * per view (no entry per key: src/speed/read-keys.ts derives the keys), shared keys get their
 * expiry moved once per script.
 */
import { createHash } from 'node:crypto';
import { kindsVersion, registeredKinds, type AggregationKind } from '../views/kinds/index.js';

/**
 * One branch per kind, on the record's kind name: `if kind == 'count' then ... elseif ...`.
 * Inlined rather than called through a table of functions, which cost the script ~5%.
 */
function branches(kinds: readonly AggregationKind[], indent: string): string {
  const body = (lua: string): string => lua.split('\n').map((line) => `${indent}  ${line}`).join('\n');
  const arms = kinds.map((k) => `${indent}elseif kind == '${k.name}' then\n${body(k.lua.record)}`);
  return arms.join('\n');
}

/** The script for these kinds. */
export function applyFlushLua(kinds: readonly AggregationKind[]): string {
  return `
if ARGV[1] ~= 'P' or #ARGV ~= 2 then return redis.error_reply('topo flush script: expected packed records') end
local P = cmsgpack.unpack(ARGV[2])
local skipped = 0
local out = {0}
local function reply(x) out[#out + 1] = x end
-- A number as a command argument: Redis formats a Lua number with %.17g, the costliest part
-- of a call; an integer formats much more cheaply as one.
local floor = math.floor
local function num(v)
  if type(v) == 'number' and v == floor(v) and v > -1e15 and v < 1e15 then return string.format('%d', v) end
  if type(v) == 'number' then return string.format('%.17g', v) end
  return v
end
-- unpack is bounded by Lua's C stack (about 8000 values): commands of many arguments go in chunks.
local function chunks(cmd, key, flag, list, step)
  local res = nil
  for from = 1, #list, step do
    local to = math.min(from + step - 1, #list)
    local r
    if flag then r = redis.call(cmd, key, flag, unpack(list, from, to)) else r = redis.call(cmd, key, unpack(list, from, to)) end
    if res == nil then res = r elseif type(r) == 'table' then for i = 1, #r do res[#res + 1] = r[i] end end
  end
  return res
end
local function zadd(key, flat, flag) if #flat > 0 then chunks('ZADD', key, flag, flat, 1000) end end
local function sadd(key, list) if #list > 0 then chunks('SADD', key, nil, list, 1000) end end
local function ismember(key, list) if #list == 0 then return {} end return chunks('SMISMEMBER', key, nil, list, 1000) end
-- Keys shared by many cells (top ZSETs, buckets index, id sets) get their TTL pushed forward only
-- when the new expiry is later, and only once per script. \`at\` is a string (epoch ms).
local expired = {}
local function extend(key, at)
  local n = tonumber(at)
  local prev = expired[key]
  if prev and prev >= n then return end
  expired[key] = n
  local cur = redis.call('PEXPIRETIME', key)
  if cur < 0 or cur < n then redis.call('PEXPIREAT', key, at) end
end
-- The keys of a record whose cells are 'key, ek, len, <len values>'.
local function cellKeys(cells)
  local keys, j = {}, 1
  while j <= #cells do keys[#keys + 1] = cells[j] j = j + 3 + cells[j + 2] end
  return keys
end
-- The buckets written, per view: one entry per bucket in its buckets ZSET (not one per key),
-- written once at the end.
local bindexes, bindexOrder = {}, {}
local function bucketIn(bidx, at, bucket)
  local e = bindexes[bidx]
  if not e then
    e = {at = at, n = tonumber(at), flat = {}, seen = {}}
    bindexes[bidx] = e
    bindexOrder[#bindexOrder + 1] = bidx
  elseif tonumber(at) > e.n then e.at = at e.n = tonumber(at) end
  if not e.seen[bucket] then
    e.seen[bucket] = true
    e.flat[#e.flat + 1] = bucket
    e.flat[#e.flat + 1] = bucket
  end
end
for r = 1, #P do
  local R = P[r]
  local kind = R[1]
  if kind == 'l' then
    redis.call('INCRBY', R[2], R[3])
  elseif kind == 'k' then
    redis.call('ZREMRANGEBYSCORE', R[2], '-inf', '(' .. R[3])
  else
    local mode, at, tk, bidx, bucket, ids, head, tail, arg, cells = R[2], R[3], R[4], R[5], R[6], R[7], R[8], R[9], R[10], R[11]
    local tops, nt = {}, 0
    local function scores(keys) if #keys == 0 then return {} end return chunks('ZMSCORE', tk, nil, keys, 1000) end
    local function top(key, score)
      tops[nt + 1] = num(score)
      tops[nt + 2] = key
      nt = nt + 2
    end
    if kind == 't' then
      -- A cluster's second call: the top scores its slot calls returned (racing writers: GT).
      zadd(tk, cells, 'GT')
${branches(kinds, '    ')}
    else
      return redis.error_reply('topo flush script: no aggregation kind ' .. tostring(kind))
    end
    if mode == 1 then
      zadd(tk, tops)
      extend(tk, at)
      bucketIn(bidx, at, bucket)
    end
  end
end
for i = 1, #bindexOrder do
  local e = bindexes[bindexOrder[i]]
  zadd(bindexOrder[i], e.flat)
  extend(bindexOrder[i], e.at)
end
out[1] = skipped
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
