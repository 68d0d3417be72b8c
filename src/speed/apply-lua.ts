/**
 * The Lua script that applies a flush, or one slot's or one view's part of it on a Redis
 * Cluster. Its records, the reply and why the top ZSET is set rather than incremented are
 * described in apply-script.ts, which builds the records.
 *
 * On one Redis the records come packed: KEYS empty and ARGV `{'P', <msgpack [keys, argv]>}`,
 * unpacked here by Redis's built-in cmsgpack. One bulk string instead of ~15 per cell: the
 * client's per-argument work (the writer's largest cost after GC) is gone, and Redis parses
 * one argument. A standalone Redis lets a script use keys it was not given (a cluster does
 * not: there the calls declare their keys, unpacked, one slot each).
 */
export const APPLY_FLUSH_LUA = `
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
    if kind == 'd' then
      -- unpack is bounded by Lua's C stack (about 8000 values): add in chunks.
      for from = ai, ai + count - 1, 1000 do
        redis.call('PFADD', vk, unpack(A, from, math.min(from + 999, ai + count - 1)))
      end
      ai = ai + count
      touched = true
    else
      for _ = 1, count do
        local fresh = true
        if eo then
          fresh = redis.call('SADD', ids, A[ai]) == 1
          ai = ai + 1
          if not fresh then skipped = skipped + 1 end
        end
        if kind == 'h' then
          local k = tonumber(A[ai])
          if fresh then
            -- The first field comes first: its new value is the cell's score.
            score = redis.call('HINCRBY', vk, A[ai + 1], A[ai + 2])
            for j = 2, k do
              redis.call('HINCRBY', vk, A[ai + 2 * j - 1], A[ai + 2 * j])
            end
            touched = true
          end
          ai = ai + 1 + 2 * k
        else
          if fresh then
            score = redis.call(kind == 'i' and 'INCRBY' or 'INCRBYFLOAT', vk, A[ai])
            touched = true
          end
          ai = ai + 1
        end
      end
      if ids then redis.call('PEXPIREAT', ids, at) end
    end
    if touched then redis.call('PEXPIREAT', vk, at) end
    -- The value after this record's increments (read when every event was skipped).
    if kind == 'd' then score = redis.call('PFCOUNT', vk)
    elseif score == nil and kind == 'h' then score = redis.call('HGET', vk, first)
    elseif score == nil then score = redis.call('GET', vk) end
    -- A missing cell (every event skipped, the bucket expired since) gets no top entry.
    if not score then score = '' else score = tostring(score) end
    scores[#scores + 1] = score
  end
end
local out = {skipped}
for i = 1, #scores do out[i + 1] = scores[i] end
return out
`;
