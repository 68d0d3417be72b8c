/**
 * Exact duplicate removal by a tuple of event fields (batchInput.identityFields), without a
 * string per event. identityOf joins the fields into a string: building it, hashing it and
 * keeping a million of them alive in a Set (each promoted to the old generation, copied by
 * the collector) was the largest cost of a reducer. Here each field folds into a prefix id,
 * `id = pairId(id, part)`, in an open-addressing table of int32s outside the JavaScript heap;
 * the event is new when its last fold makes a new id. Tuples are equal exactly when their
 * fields are (===), which is what a join with an unambiguous separator compares.
 *
 * A field's value folds as a prefix-free code, so fields never run into each other:
 *   integer number (|v| < 2^53, e.g. a ts)  two parts: hi (|hi| < 2^21) then lo (32 bits)
 *   anything else (strings, floats, null)    one part: STRING_TAG + its interned index
 */

/** Parts of interned values start here, above any `hi` (|hi| < 2^21). */
const STRING_TAG = 1 << 30;
const MAX_INTERNED = (1 << 30) - 1;
const TWO32 = 2 ** 32;

const INITIAL_SLOTS = 1 << 12;

/**
 * (a, b) -> id by open addressing (linear probing), each slot [a, b, id, unused] in 16 bytes
 * (one cache line read per probe); ids from 1, 0 marks an empty slot.
 */
class PairIds {
  private table: Int32Array;
  private mask: number;
  private count = 0;
  /** Whether the last `id` call created its id. */
  made = false;

  constructor(private readonly next: { n: number }, entries = 0) {
    // Room for `entries` at most half full: growing rehashes every entry, a random write each.
    let slots = INITIAL_SLOTS;
    while (slots < entries * 2 && slots < 1 << 26) slots *= 2;
    this.table = new Int32Array(slots * 4);
    this.mask = slots - 1;
  }

  id(a: number, b: number): number {
    const t = this.table;
    let h = slotOf(a, b, this.mask);
    for (;;) {
      const i = h << 2;
      const id = t[i + 2]!;
      if (id === 0) break;
      if (t[i] === a && t[i + 1] === b) {
        this.made = false;
        return id;
      }
      h = (h + 1) & this.mask;
    }
    const id = this.next.n++;
    if (id >= 0x7fffffff) throw new Error('more identity prefixes than an int32 holds in one reduce partition');
    const i = h << 2;
    t[i] = a;
    t[i + 1] = b;
    t[i + 2] = id;
    this.made = true;
    // Half full at most: probes stay short.
    if (++this.count * 2 > this.mask) this.grow();
    return id;
  }

  private grow(): void {
    const old = this.table;
    const slots = (this.mask + 1) * 2;
    const t = (this.table = new Int32Array(slots * 4));
    this.mask = slots - 1;
    for (let i = 0; i < old.length; i += 4) {
      if (old[i + 2] === 0) continue;
      const a = old[i]!, b = old[i + 1]!;
      let h = slotOf(a, b, this.mask);
      while (t[(h << 2) + 2] !== 0) h = (h + 1) & this.mask;
      t[h << 2] = a;
      t[(h << 2) + 1] = b;
      t[(h << 2) + 2] = old[i + 2]!;
    }
  }
}

function slotOf(a: number, b: number, mask: number): number {
  let h = Math.imul(a ^ Math.imul(b, 0x85ebca6b), 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) & mask;
}

export class IdentitySet {
  private readonly interned: Array<Map<unknown, number>>;
  private readonly next = { n: 1 };
  // Prefixes (every fold but an event's last) repeat across events and stay few: a table small
  // enough to stay in cache. The last fold is new per distinct event: a table of its own, so
  // one probe per event goes to the large one.
  private readonly prefixes = new PairIds(this.next);
  private readonly tuples: PairIds;
  private readonly last: number;

  /** `expected`: about how many events will be added (sizes the table once). */
  constructor(private readonly fields: readonly string[], expected = 0) {
    this.tuples = new PairIds(this.next, expected);
    if (fields.length === 0) throw new Error('identityFields must name at least one field');
    this.interned = fields.map(() => new Map());
    this.last = fields.length - 1;
  }

  /** True the first time an event with these field values is seen, false for a duplicate. */
  add(event: unknown): boolean {
    const e = event as Record<string, unknown>;
    let id = 0;
    for (let f = 0; f <= this.last; f++) {
      const v = e[this.fields[f]!];
      const table = f === this.last ? this.tuples : this.prefixes;
      if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 2 ** 53) {
        const hi = Math.floor(v / TWO32);
        id = table.id(this.prefixes.id(id, hi), (v - hi * TWO32) | 0);
      } else {
        const map = this.interned[f]!;
        let s = map.get(v);
        if (s === undefined) {
          if (map.size >= MAX_INTERNED) throw new Error(`identity field '${this.fields[f]}' has more than ${MAX_INTERNED} distinct values in one reduce partition`);
          map.set(v, (s = map.size));
        }
        id = table.id(id, STRING_TAG + s);
      }
    }
    // A new tuple makes a new id at its last fold (a new prefix makes new ids from there on).
    return this.tuples.made;
  }
}
