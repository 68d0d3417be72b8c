/**
 * How a list of events is encoded in a spill. Events are whatever batchInput.eventOf makes,
 * but nearly always flat records of one shape (pageviews': visitor, url, domain, ts): those
 * are written as their field names once and then each value, a string as its UTF-8 bytes the
 * first time it occurs in the list and as its index among the list's strings after that, a
 * number as a float64, without msgpackr. A list is one map task's events of one partition
 * pair (~70 for pageviews in the bench): ~58% of its visitors and URLs and all but one of its
 * domains repeat, and a repeat costs neither a UTF-8 write nor, in both reducers that decode
 * the list, a UTF-8 decode and a new string (whose hash the identity table then computes
 * once per list, not per event). Packing was the largest cost of a map task (msgpackr
 * ~2.5-3 us an event for pageviews' four fields on this 2-core VM, this encoding ~1 us;
 * unpacking costs about the same either way). Any other list (nested values, booleans,
 * objects of several shapes, a field named __proto__) is msgpackr's, as before.
 *
 *   flat list:  0x01, u32 header bytes, header (JSON array of field names), u32 count,
 *               then per event and field: 0x01 f64 | 0x02 u32 bytes, UTF-8 (the list's next
 *               string) | 0x04 u32 (the list's string of that index) | 0x03 (null)
 *   other list: 0x00, msgpackr array
 */
import { Packr } from 'msgpackr';

const FLAT = 1, PACKED = 0;
const NUM = 1, STR = 2, NULL = 3, REF = 4;

// Records on (msgpackr's default) for the lists that are not flat: field names once per list.
const packr = new Packr();

/** Builds an object of one shape from `vals`, as a literal: objects of one hidden class. */
type Make = (vals: readonly unknown[]) => Record<string, unknown>;
const makers = new Map<string, Make>();

function makerOf(fields: readonly string[]): Make {
  const id = fields.join('\u0000');
  let make = makers.get(id);
  if (make === undefined) {
    // Field names are JSON-quoted into the literal; '__proto__' never gets here (flatFields).
    make = new Function('v', `return {${fields.map((f, i) => `${JSON.stringify(f)}: v[${i}]`).join(', ')}};`) as Make;
    if (makers.size > 1000) makers.clear();
    makers.set(id, make);
  }
  return make;
}

/** The field names when every event is a plain object of those fields (in that order) holding strings, numbers or null. */
function flatFields(events: readonly unknown[]): string[] | null {
  const first = events[0];
  if (typeof first !== 'object' || first === null || Object.getPrototypeOf(first) !== Object.prototype) return null;
  const fields = Object.keys(first);
  if (fields.length === 0 || fields.includes('__proto__')) return null;
  for (const e of events) {
    if (typeof e !== 'object' || e === null || Object.getPrototypeOf(e) !== Object.prototype) return null;
    let i = 0;
    for (const k in e) {
      if (k !== fields[i]) return null;
      const v = (e as Record<string, unknown>)[k];
      if (typeof v !== 'string' && typeof v !== 'number' && v !== null) return null;
      i++;
    }
    if (i !== fields.length) return null;
  }
  return fields;
}

/** Appends encoded lists to one growing buffer; `bytes()` is a view of what was written. */
export class SpillEncoder {
  private buf = Buffer.allocUnsafe(1 << 20);
  private pos = 0;
  /** The strings of the list being encoded, by first occurrence. */
  private readonly strings = new Map<string, number>();

  get length(): number {
    return this.pos;
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** Start again at the beginning (the buffer is reused). */
  reset(): void {
    this.pos = 0;
  }

  /** Encode one list of events at the end. */
  add(events: readonly unknown[]): void {
    const fields = flatFields(events);
    if (fields === null) {
      const packed = packr.pack(events);
      this.room(1 + packed.length);
      this.buf[this.pos++] = PACKED;
      this.pos += packed.copy(this.buf, this.pos);
      return;
    }
    const header = JSON.stringify(fields);
    this.room(9 + 3 * header.length);
    this.buf[this.pos++] = FLAT;
    const n = this.buf.write(header, this.pos + 4);
    this.buf.writeUInt32LE(n, this.pos);
    this.pos += 4 + n;
    this.buf.writeUInt32LE(events.length, this.pos);
    this.pos += 4;
    const strings = this.strings;
    strings.clear();
    for (const e of events as ReadonlyArray<Record<string, unknown>>) {
      for (let f = 0; f < fields.length; f++) {
        const v = e[fields[f]!];
        if (typeof v === 'number') {
          this.room(9);
          this.buf[this.pos] = NUM;
          this.buf.writeDoubleLE(v, this.pos + 1);
          this.pos += 9;
        } else if (typeof v === 'string') {
          const at = strings.get(v);
          if (at !== undefined) {
            this.room(5);
            this.buf[this.pos] = REF;
            this.buf.writeUInt32LE(at, this.pos + 1);
            this.pos += 5;
            continue;
          }
          strings.set(v, strings.size);
          this.room(5 + 3 * v.length);
          this.buf[this.pos] = STR;
          const bytes = this.buf.write(v, this.pos + 5);
          this.buf.writeUInt32LE(bytes, this.pos + 1);
          this.pos += 5 + bytes;
        } else {
          this.room(1);
          this.buf[this.pos++] = NULL;
        }
      }
    }
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }
}

/** The events of one encoded list (as SpillEncoder.add wrote it). */
export function decodeSpill(b: Buffer): unknown[] {
  if (b[0] === PACKED) return packr.unpack(b.subarray(1)) as unknown[];
  if (b[0] !== FLAT) throw new Error(`spill list of unknown kind ${b[0]}`);
  const hl = b.readUInt32LE(1);
  const fields = JSON.parse(b.toString('utf8', 5, 5 + hl)) as string[];
  let p = 5 + hl;
  const count = b.readUInt32LE(p);
  p += 4;
  const make = makerOf(fields);
  const F = fields.length;
  const vals: unknown[] = new Array(F);
  const out: unknown[] = new Array(count);
  const strings: string[] = [];
  for (let i = 0; i < count; i++) {
    for (let f = 0; f < F; f++) {
      const tag = b[p];
      if (tag === NUM) {
        vals[f] = b.readDoubleLE(p + 1);
        p += 9;
      } else if (tag === STR) {
        const len = b.readUInt32LE(p + 1);
        const v = b.toString('utf8', p + 5, p + 5 + len);
        strings.push(v);
        vals[f] = v;
        p += 5 + len;
      } else if (tag === REF) {
        const v = strings[b.readUInt32LE(p + 1)];
        if (v === undefined) throw new Error(`spill list refers to string ${b.readUInt32LE(p + 1)} of ${strings.length}`);
        vals[f] = v;
        p += 5;
      } else {
        vals[f] = null;
        p++;
      }
    }
    out[i] = make(vals);
  }
  if (p !== b.length) throw new Error(`spill list of ${count} events ends at byte ${p} of ${b.length}`);
  return out;
}
