/**
 * The common part of kinds whose cell is one number (count, sum). In Redis a bucket's cells
 * are the members of its top ZSET, each scored by its value: one key per bucket (one expiry,
 * one slot per view), so a flush adds to a bucket's cells with one ZMSCORE and one ZADD
 * instead of a counter, an expiry, a top entry and an index entry per cell, and the batch
 * writer's top ZSET is the whole of its bucket. Values are doubles: counts are exact up to
 * 2^53. A range total is the sum of its buckets. Each numeric kind's own file says what an
 * event adds.
 */
import { topKey } from '../keys.js';
import type { ViewUpdate } from '../view.js';
import type { Aggregator, AggregationKind, BucketAt, BucketRead, UpdateBase } from './kind.js';

export interface NumericOptions {
  /** Amounts must be integers (counts); otherwise finite numbers (sums). */
  readonly integer: boolean;
  readonly amountOfEvent: (event: unknown) => number | undefined;
  /** The reduce loop's step (see Aggregator.foldEvent), written by each kind for its own amount. */
  readonly foldEvent: Aggregator<number, number>['foldEvent'];
}

/**
 * The flush script's branch for a numeric record. `cells` is `{n, key, ...}` (keys distinct:
 * the new cells' pairs go to ZADD as they came) or, exactly-once, `{key, n, member, ...}` one entry per event, `member` = key NUL id in the
 * bucket's id set, amounts as strings (a new cell's goes to ZADD as it is). New values are the
 * old scores plus the amounts.
 */
export const NUMERIC_LUA = `if ids then
  local keys, add = {}, {}
  local members = {}
  for j = 3, #cells, 3 do members[#members + 1] = cells[j] end
  local seen = ismember(ids, members)
  local fresh = {}
  for j = 1, #members do
    if seen[j] == 1 then
      skipped = skipped + 1
    else
      fresh[#fresh + 1] = members[j]
      local key, n = cells[3 * j - 2], cells[3 * j - 1]
      local s = add[key]
      if s == nil then keys[#keys + 1] = key add[key] = n else add[key] = s + n end
    end
  end
  sadd(ids, fresh)
  extend(ids, at)
  cells = {}
  for j = 1, #keys do cells[2 * j - 1] = add[keys[j]] cells[2 * j] = keys[j] end
end
-- cells: {n, key, ...}, a ZADD's pairs once each existing cell's score is added to its n.
if #cells > 0 then
  local keys, nk = {}, 0
  for j = 2, #cells, 2 do nk = nk + 1 keys[nk] = cells[j] end
  local old = scores(keys)
  for j = 1, nk do
    local o = old[j]
    if o then cells[2 * j - 1] = num(cells[2 * j - 1] + tonumber(o)) end
  end
  zadd(tk, cells)
end`;

/** A bound numeric aggregator: amounts are `n`, a cell is its sum. */
export function numericAggregator(kind: AggregationKind, o: NumericOptions): Aggregator<number, number> {
  const name = kind.name;
  const integer = o.integer;
  const check = (n: number): number => {
    if (!Number.isFinite(n) || (integer && !Number.isSafeInteger(n))) throw new Error(`${name} amount must be ${integer ? 'an integer' : 'a finite number'}, got ${n}`);
    return n;
  };
  return {
    kind,
    fromEvents: true,
    idempotent: false,
    amountOfEvent: o.amountOfEvent,
    foldEvent: o.foldEvent,
    amountOf: (u) => u.n,
    withAmount: (base: UpdateBase, n: number): ViewUpdate => ({ ...base, n }),
    invalid(u) {
      const n = u['n'];
      if (typeof n !== 'number' || !Number.isFinite(n)) return `${name} update needs a finite n`;
      if (integer && !Number.isInteger(n)) return `${name} update needs an integer n`;
      return null;
    },
    empty: () => 0,
    fold: (m, n) => m + n,
    merge: (into, from) => into + from,
    value: (m) => m,
    score: (m) => m,
    pack: (m) => m,
    unpack: (p) => p as number,
    cellsInTop: true,
    recordArg: '',
    pushCell(cells, key, _ek, list, ids) {
      if (ids) {
        for (let i = 0; i < list.length; i++) {
          const u = list[i]!;
          cells.push(key, String(check(u.n ?? 0)), `${key}\u0000${u.id}`);
        }
        return list.length > 0;
      }
      let n = 0;
      for (let i = 0; i < list.length; i++) n += list[i]!.n ?? 0;
      cells.push(String(check(n)), key);
      return true;
    },
    // The batch writer's top ZSET, scored by `score`, is the bucket's cells: nothing else to write.
    writeBucket: () => {},
    read: readNumbers,
    present: (v) => v,
    topNote: null,
  };
}

/** One ZSCORE per bucket (the top ZSETs of a view share a hash tag: one slot); a missing cell is 0. */
function readNumbers(key: string, at: readonly BucketAt[]): BucketRead {
  return {
    commands: at.map(({ prefix, bucket }) => ['ZSCORE', topKey(prefix, bucket), key] as const),
    parse(replies) {
      const values = (replies as ReadonlyArray<string | null>).map((s) => (s === null || s === undefined ? 0 : Number(s)));
      let total = 0;
      for (const v of values) total += v;
      return { values, total };
    },
  };
}
