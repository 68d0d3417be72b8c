/**
 * `distinct`: distinct values of an event field per key and bucket (unique visitors). In
 * Redis a HyperLogLog (PFADD; a range's uniques are one PFCOUNT over its buckets' keys, the
 * union, not the sum: a visitor seen in two hours counts once). In memory (batch cells, the
 * in-process store) the exact members: the batch writer PFADDs them and scores the top ZSET
 * with their exact number. Adding a member twice changes nothing, so an exactly-once view
 * of this kind needs no event ids.
 */
import { valueKey } from '../keys.js';
import { PER_COMMAND, type Aggregator, type AggregationKind, type BucketRead } from './kind.js';

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
    scoreArg: '-',
    pushAmount(list, from, to, out) {
      // Each member once: PFADD of a repeat changes nothing but costs Redis its hashing.
      const members = new Set<string>();
      for (let i = from; i < to; i++) {
        const m = list[i]!.member;
        if (m !== undefined) members.add(m);
      }
      if (members.size === 0) return false;
      out.push(String(members.size));
      for (const m of members) out.push(m);
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
    read(vkeys): BucketRead {
      // PFCOUNT of several keys counts their union without storing it (one slot: same hash tag).
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
    // unpack is bounded by Lua's C stack (about 8000 values): add in chunks.
    apply: `for from = i, i + k - 1, 1000 do redis.call('PFADD', vk, unpack(A, from, math.min(from + 999, i + k - 1))) end
        score = redis.call('PFCOUNT', vk)`,
    read: `score = redis.call('PFCOUNT', vk)`,
  },
  bind: (spec) => bind(spec.field),
};
