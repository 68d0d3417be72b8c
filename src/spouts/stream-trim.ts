/**
 * Safe trimming of a stream: remove only entries EVERY consumer group is done with. A
 * group still needs its oldest pending entry (delivered, not acked) and everything after its
 * last-delivered-id (not yet delivered); the stream is trimmed with XTRIM MINID below the
 * lowest of those over all groups. Never a blind MAXLEN, which would drop entries a lagging
 * group has not read.
 *
 * One Lua script reads the groups and trims, so no group can be created or read between
 * the computation and the XTRIM. A stream without groups is not trimmed: nothing records
 * what was processed, so no entry is known to be done with.
 */
import type { StreamClient } from './stream-connect.js';

/** A dry run counts at most this many kept entries (then `approximate`). */
const DRY_COUNT_LIMIT = 100_000;

// Ids are compared as (ms, seq) decimal strings (length first, then text), not as Lua
// numbers: a double has 53 bits, an id part 64.
const TRIM = `
local function parts(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return ms, seq
end
local function numless(a, b)
  if #a ~= #b then return #a < #b end
  return a < b
end
local function less(a, b)
  local am, as = parts(a)
  local bm, bs = parts(b)
  if am ~= bm then return numless(am, bm) end
  return numless(as, bs)
end
if redis.call('EXISTS', KEYS[1]) == 0 then return {'nostream'} end
local groups = redis.call('XINFO', 'GROUPS', KEYS[1])
if #groups == 0 then return {'nogroups'} end
local floor = nil
local report = {}
for _, g in ipairs(groups) do
  local name, last, pending
  for i = 1, #g, 2 do
    if g[i] == 'name' then name = g[i + 1]
    elseif g[i] == 'last-delivered-id' then last = g[i + 1]
    elseif g[i] == 'pending' then pending = g[i + 1] end
  end
  local ms, seq = parts(last)
  -- The first id after last-delivered-id: everything from there on is undelivered.
  local f = ms .. '-' .. string.format('%d', tonumber(seq) + 1)
  local oldest = ''
  if pending > 0 then
    oldest = redis.call('XPENDING', KEYS[1], name)[2]
    if less(oldest, f) then f = oldest end
  end
  if floor == nil or less(f, floor) then floor = f end
  report[#report + 1] = {name, last, tostring(pending), oldest, f}
end
if ARGV[1] ~= 'dry' then
  local removed = redis.call('XTRIM', KEYS[1], 'MINID', floor)
  return {'ok', floor, removed, report, redis.call('XLEN', KEYS[1]), 0}
end
-- A dry run counts what the trim would keep (ids >= floor), in chunks and up to a bound so a
-- huge backlog does not block Redis: the stream's length alone said "9977 left" for a trim to 0.
local kept, from, capped = 0, floor, 0
while true do
  local batch = redis.call('XRANGE', KEYS[1], from, '+', 'COUNT', 1000)
  kept = kept + #batch
  if #batch < 1000 then break end
  if kept >= ${DRY_COUNT_LIMIT} then capped = 1 break end
  from = '(' .. batch[#batch][1]
end
return {'ok', floor, redis.call('XLEN', KEYS[1]) - kept, report, kept, capped}
`;

export interface GroupFloor {
  readonly group: string;
  readonly lastDeliveredId: string;
  readonly pending: number;
  /** Oldest pending entry id, or null when the group holds nothing. */
  readonly oldestPending: string | null;
  /** The lowest id this group still needs. */
  readonly keepFrom: string;
}

export interface TrimResult {
  /** Entries with ids below this were removed (or would be, in a dry run). */
  readonly minId: string;
  /** Entries removed (a dry run: that would be; at most this when `approximate`). */
  readonly removed: number;
  /** Entries left (a dry run: that would be; at least this when `approximate`). */
  readonly length: number;
  /** A dry run stopped counting at DRY_COUNT_LIMIT kept entries. */
  readonly approximate: boolean;
  readonly groups: readonly GroupFloor[];
}

export class TrimRefused extends Error {}

/** Trim `stream` below what every group still needs; `dryRun` only computes the point. */
export async function safeTrim(c: StreamClient, stream: string, dryRun = false): Promise<TrimResult> {
  const r = (await c.eval(TRIM, 1, stream, dryRun ? 'dry' : 'trim')) as unknown[];
  if (r[0] === 'nostream') throw new TrimRefused(`stream '${stream}' does not exist`);
  if (r[0] === 'nogroups') {
    throw new TrimRefused(`stream '${stream}' has no consumer groups: nothing records which entries were processed, so none is trimmed`);
  }
  const groups = (r[3] as string[][]).map(([group, last, pending, oldest, keep]) => ({
    group: group!, lastDeliveredId: last!, pending: Number(pending), oldestPending: oldest === '' ? null : oldest!, keepFrom: keep!,
  }));
  return { minId: r[1] as string, removed: Number(r[2]), length: Number(r[4]), approximate: r[5] === 1, groups };
}
