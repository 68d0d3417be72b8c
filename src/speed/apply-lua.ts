/**
 * The Lua script that applies a flush, or one slot's or one view's part of it on a Redis
 * Cluster. Its records, the reply and why the top ZSET is set rather than incremented are
 * described in apply-script.ts, which builds the records.
 */
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
    local touched, score = false, nil
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
            -- The first field comes first: its new value is the cell's score.
            score = redis.call('HINCRBY', vk, ARGV[ai + 1], ARGV[ai + 2])
            for j = 2, k do
              redis.call('HINCRBY', vk, ARGV[ai + 2 * j - 1], ARGV[ai + 2 * j])
            end
            touched = true
          end
          ai = ai + 1 + 2 * k
        else
          if fresh then
            score = redis.call(kind == 'i' and 'INCRBY' or 'INCRBYFLOAT', vk, ARGV[ai])
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
