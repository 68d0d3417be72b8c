/**
 * `distinct`: distinct values of an event field per key and bucket (unique visitors). In
 * Redis a HyperLogLog per cell (PFADD; a range's uniques are one PFCOUNT over its buckets'
 * keys, the union, not the sum: a visitor seen in two hours counts once), scored in the
 * bucket's top ZSET by its PFCOUNT. In memory (batch cells, the
 * in-process store) the exact members: the batch writer PFADDs them and scores the top ZSET
 * with their exact number. Adding a member twice changes nothing, so an exactly-once view
 * of this kind needs no event ids.
 */
import { valueKey } from '../keys.js';
import { PER_COMMAND, type Aggregator, type AggregationKind, type BucketAt, type BucketRead } from './kind.js';

export interface DistinctSpec {
  readonly kind: 'distinct';
  /** The event field whose distinct values are counted. */
  readonly field: string;
}

declare module '../view.js' {
  interface AggregationSpecs {
    distinct: DistinctSpec;
  }
}

/**
 * A cell's members: none, the one member (most cells hold one or two, and a Set per cell was
 * hundreds of thousands of long-lived objects for the garbage collector), or a Set from the
 * second on.
 */
export type Members = string | Set<string> | null;

function add(m: Members, x: string): Members {
  if (m === null) return x;
  if (typeof m === 'string') return m === x ? m : new Set([m, x]);
  m.add(x);
  return m;
}

const sizeOf = (m: Members): number => (m === null ? 0 : typeof m === 'string' ? 1 : m.size);

function bind(field: string): Aggregator<string, Members> {
  return {
    kind: distinctKind,
    fromEvents: true,
    idempotent: true,
    amountOfEvent(event) {
      const m = (event as Record<string, unknown>)[field];
      return m === undefined || m === null ? undefined : String(m);
    },
    foldEvent(cells, key, bucket, event) {
      const x = (event as Record<string, unknown>)[field];
      if (x === undefined || x === null) return;
      const c = cells.cell(key, bucket);
      const m = add(c.m, String(x));
      // Stored only when it changed: re-storing the same Set into an old cell costs a write barrier.
      if (m !== c.m) c.m = m;
    },
    amountOf: (u) => u.member,
    withAmount: (base, member) => ({ ...base, member }),
    invalid: (u) => (typeof u['member'] === 'string' ? null : 'distinct update needs a string member'),
    empty: () => null,
    fold: add,
    merge(into, from) {
      if (typeof from === 'string') return add(into, from);
      if (from !== null) for (const x of from) into = add(into, x);
      return into;
    },
    value: sizeOf,
    score: sizeOf,
    pack: (m) => (m instanceof Set ? [...m] : m),
    unpack(p) {
      if (!Array.isArray(p)) return p as string | null;
      let m: Members = null;
      for (const x of p as string[]) m = add(m, x);
      return m;
    },
    cellsInTop: false,
    recordArg: '',
    pushCell(cells, key, ek, list) {
      // Each member once: PFADD of a repeat changes nothing but costs Redis its hashing.
      if (list.length === 1) {
        const m = list[0]!.member;
        if (m === undefined) return false;
        cells.push(key, ek, 1, m);
        return true;
      }
      const members = new Set<string>();
      for (let i = 0; i < list.length; i++) {
        const m = list[i]!.member;
        if (m !== undefined) members.add(m);
      }
      if (members.size === 0) return false;
      cells.push(key, ek, members.size);
      for (const m of members) cells.push(m);
      return true;
    },
    writeBucket(w, bp, bucket, cells) {
      for (const c of cells.values()) {
        const vk = valueKey(bp, c.key, bucket);
        const m = c.m;
        // No member (a reducer's update without one): an empty HyperLogLog, as PFADD of none makes.
        if (m === null) w.command('PFADD', 1).arg(vk);
        else if (typeof m === 'string') w.command('PFADD', 2).arg(vk).arg(m);
        else if (m.size <= PER_COMMAND) {
          w.command('PFADD', 1 + m.size).arg(vk);
          for (const x of m) w.arg(x);
        } else {
          const all = [...m];
          for (let i = 0; i < all.length; i += PER_COMMAND) {
            const part = all.slice(i, i + PER_COMMAND);
            w.command('PFADD', 1 + part.length).arg(vk);
            for (const x of part) w.arg(x);
          }
        }
      }
    },
    read(key: string, at: readonly BucketAt[]): BucketRead {
      // PFCOUNT of several keys counts their union without storing it (one slot: same hash tag).
      const vkeys = at.map(({ prefix, bucket }) => valueKey(prefix, key, bucket));
      const commands = vkeys.map((k) => ['PFCOUNT', k] as const);
      return {
        commands: vkeys.length === 0 ? [] : [...commands, ['PFCOUNT', ...vkeys]],
        parse: (replies) => ({ values: replies.slice(0, vkeys.length).map(Number), total: vkeys.length > 0 ? Number(replies[vkeys.length]) : 0 }),
      };
    },
    present: (v) => v,
    topNote: 'distinct summed over buckets',
  };
}

export const distinctKind: AggregationKind<DistinctSpec> = {
  name: 'distinct',
  validate(spec, where) {
    if (!spec.field) throw new Error(`${where}: distinct needs a field`);
  },
  lua: {
    // cells: {key, ek, k, m1 .. mk, ...} (k: the members). A cell new to the bucket (no top entry) whose one
    // member changed the HyperLogLog counts 1 without a PFCOUNT; a cell whose HyperLogLog did
    // not change keeps its top score. unpack is bounded by Lua's C stack: add in chunks.
    // Expiry: set when the PFADD changed the HyperLogLog, only if the key has none (NX): a
    // PFADD that creates the key always reports a change, so every cell gets one, the one of
    // the write that created it, and a write that adds nothing new costs no PEXPIREAT.
    record: `local old = mode == 1 and scores(cellKeys(cells)) or nil
local j, c = 1, 0
while j <= #cells do
  c = c + 1
  local key, k = cells[j], cells[j + 2]
  local vk = head .. (cells[j + 1] or key) .. tail
  local last, changed = j + 2 + k, 0
  if k == 1 then changed = redis.call('PFADD', vk, cells[j + 3])
  else for from = j + 3, last, 1000 do changed = changed + redis.call('PFADD', vk, unpack(cells, from, math.min(from + 999, last))) end end
  if changed > 0 then redis.call('PEXPIREAT', vk, at, 'NX') end
  if mode ~= 1 then
    reply(redis.call('PFCOUNT', vk))
  elseif not old[c] then
    top(key, (k == 1 and changed == 1) and '1' or redis.call('PFCOUNT', vk))
  elseif changed > 0 then
    top(key, redis.call('PFCOUNT', vk))
  end
  j = last + 1
end`,
  },
  bind: (spec) => bind(spec.field),
};
