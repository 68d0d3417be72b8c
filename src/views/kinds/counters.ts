/**
 * `counters`: several named integer counts per key and bucket, for a view that is not a
 * monoid over events (bounce rate needs whole visits): a stateful bolt feeds the speed layer
 * and a batch reducer the batch layer, both with `fields` updates. A Redis hash (HINCRBY per
 * field, one hash per cell); a range sums field by field and reads through the view's `present` (e.g. a rate).
 * The top ZSETs score a cell by its first field.
 */
import { valueKey } from '../keys.js';
import type { Aggregator, AggregationKind, BucketAt, BucketRead, ViewValue } from './kind.js';

export interface CountersSpec {
  readonly kind: 'counters';
  /** The counters' names; the first scores the top keys. */
  readonly fields: readonly string[];
}

declare module '../view.js' {
  interface AggregationSpecs {
    counters: CountersSpec;
  }
}

type Counters = Record<string, number>;

function addInto(m: Counters, x: Readonly<Counters>): Counters {
  for (const f in x) m[f] = (m[f] ?? 0) + x[f]!;
  return m;
}

/** A hash reply as HGETALL gives it: a flat [field, value, ...] array (raw RESP) or an object. */
function numbersOf(h: unknown): Counters {
  const out: Counters = {};
  if (Array.isArray(h)) for (let i = 0; i + 1 < h.length; i += 2) out[String(h[i])] = Number(h[i + 1]);
  else if (h !== null && typeof h === 'object') for (const [f, v] of Object.entries(h)) out[f] = Number(v);
  return out;
}

/** `nf f1 n1 f2 n2 ..` of a counters record; throws on a count HINCRBY would refuse. */
function pushFields(cells: unknown[], x: Readonly<Counters>): void {
  const at = cells.length;
  cells.push(0);
  for (const f in x) {
    const n = x[f]!;
    if (!Number.isSafeInteger(n)) throw new Error(`counter '${f}' must be an integer, got ${n}`);
    cells.push(f, n);
  }
  cells[at] = cells.length - at - 1;
}

function bind(fields: readonly string[]): Aggregator<Readonly<Counters>, Counters> {
  const first = fields[0]!;
  // Every declared counter at 0 first: a cell or range missing one still shows it.
  const value = (m: Readonly<Counters>): Counters => {
    const out: Counters = {};
    for (const f of fields) out[f] = 0;
    return addInto(out, m);
  };
  return {
    kind: countersKind,
    fromEvents: false,
    idempotent: false,
    amountOfEvent: () => undefined,
    foldEvent: () => {},
    amountOf: (u) => u.fields,
    withAmount: (base, x) => ({ ...base, fields: x }),
    invalid(u) {
      const f = u['fields'];
      return f === null || typeof f !== 'object' || !Object.values(f).every((n) => Number.isInteger(n)) ? 'counters update needs integer fields' : null;
    },
    empty: () => ({}),
    fold: addInto,
    merge: addInto,
    value,
    score: (m) => m[first] ?? 0,
    pack: (m) => m,
    unpack: (p) => ({ ...(p as Counters) }),
    cellsInTop: false,
    recordArg: first,
    pushCell(cells, key, ek, list, ids) {
      const at = cells.length;
      cells.push(key, ek, 0);
      if (ids) {
        // One entry per event: its id, then its counters (applied only if the id is new).
        for (let i = 0; i < list.length; i++) {
          cells.push(list[i]!.id);
          pushFields(cells, list[i]!.fields ?? {});
        }
      } else {
        const sums: Counters = {};
        for (let i = 0; i < list.length; i++) addInto(sums, list[i]!.fields ?? {});
        pushFields(cells, sums);
      }
      cells[at + 2] = cells.length - at - 3;
      return true;
    },
    writeBucket(w, bp, bucket, cells) {
      for (const c of cells.values()) {
        const entries = Object.entries(c.m);
        // A cell without counters is an empty hash, which Redis does not keep: nothing to write.
        if (entries.length === 0) continue;
        w.command('HSET', 1 + 2 * entries.length).arg(valueKey(bp, c.key, bucket));
        for (const [f, n] of entries) w.arg(f).num(n);
      }
    },
    read(key: string, at: readonly BucketAt[]): BucketRead {
      return {
        commands: at.map(({ prefix, bucket }) => ['HGETALL', valueKey(prefix, key, bucket)] as const),
        parse(replies) {
          const values: ViewValue[] = [];
          const total = value({});
          for (const h of replies) {
            const v = value(numbersOf(h));
            addInto(total, v);
            values.push(v);
          }
          return { values, total };
        },
      };
    },
    present: (v, present) => (present !== undefined && typeof v === 'object' ? present(v) : v),
    topNote: null,
  };
}

export const countersKind: AggregationKind<CountersSpec> = {
  name: 'counters',
  validate(spec, where) {
    if (!Array.isArray(spec.fields) || spec.fields.length === 0) throw new Error(`${where}: counters needs at least one field`);
  },
  lua: {
    // cells: {key, ek, len, then len values}: `nf f1 n1 ..` (nf: the values after it), each
    // entry after its event id when exactly-once. The first field's new value (`arg`) is the
    // cell's score.
    record: `local j = 1
while j <= #cells do
  local key = cells[j]
  local vk = head .. (cells[j + 1] or key) .. tail
  local idk = ids and (vk .. ':ids') or nil
  local last = j + 2 + cells[j + 2]
  local p, touched, score = j + 3, false, nil
  while p <= last do
    local fresh = true
    if idk then
      fresh = redis.call('SADD', idk, cells[p]) == 1
      if not fresh then skipped = skipped + 1 end
      p = p + 1
    end
    local nf = cells[p]
    if fresh then
      for q = p + 1, p + nf, 2 do
        local v = redis.call('HINCRBY', vk, cells[q], cells[q + 1])
        if cells[q] == arg then score = v end
      end
      touched = true
    end
    p = p + 1 + nf
  end
  if idk then redis.call('PEXPIREAT', idk, at) end
  if touched then redis.call('PEXPIREAT', vk, at) end
  if score == nil then score = redis.call('HGET', vk, arg) end
  if mode ~= 1 then reply(score or '') elseif score then top(key, score) end
  j = last + 1
end`,
  },
  bind: (spec) => bind(spec.fields),
};
