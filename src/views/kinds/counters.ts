/**
 * `counters`: several named integer counts per key and bucket, for a view that is not a
 * monoid over events (bounce rate needs whole visits): a stateful bolt feeds the speed layer
 * and a batch reducer the batch layer, both with `fields` updates. A Redis hash (HINCRBY per
 * field); a range sums field by field and reads through the view's `present` (e.g. a rate).
 * The top ZSETs score a cell by its first field.
 */
import { valueKey } from '../keys.js';
import type { Aggregator, AggregationKind, BucketRead, ViewValue } from './kind.js';

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
    scoreArg: first,
    pushAmount(list, from, to, out) {
      // The first field first: the script scores the cell by its new value.
      const sums = new Map<string, number>([[first, 0]]);
      for (let i = from; i < to; i++) {
        const x = list[i]!.fields;
        if (x !== undefined) for (const f in x) sums.set(f, (sums.get(f) ?? 0) + x[f]!);
      }
      out.push(String(2 * sums.size));
      for (const [f, n] of sums) {
        if (!Number.isSafeInteger(n)) throw new Error(`counter '${f}' must be an integer, got ${n}`);
        out.push(f, String(n));
      }
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
    read(vkeys): BucketRead {
      return {
        commands: vkeys.map((k) => ['HGETALL', k] as const),
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
    // The first field comes first (pushAmount): its new value is the cell's score.
    apply: `score = redis.call('HINCRBY', vk, A[i], A[i + 1])
        for j = i + 2, i + k - 1, 2 do redis.call('HINCRBY', vk, A[j], A[j + 1]) end`,
    read: `score = redis.call('HGET', vk, first)`,
  },
  bind: (spec) => bind(spec.fields),
};
