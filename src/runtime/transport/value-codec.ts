/**
 * The values of a frame's tuples that are numbers and strings (see frames.ts): a value
 * list's shape, strings written as UTF-8 into a scratch buffer by a plain loop (natively
 * when long or surrogate-bearing) and read back as flat strings. msgpack handles the rest.
 */

/** Longer value lists go through msgpack (and the shape check stops early). */
const MAX_SCALARS = 8;
/** Strings at least this long are encoded and decoded natively (TextEncoder/TextDecoder). */
const LONG_STRING = 48;
/** The shape of a value list that goes through msgpack. */
export const MSGPACK = -1;
// Reused between calls: encoding is synchronous and single-threaded per module instance.
let strBytes = new Uint8Array(64 * 1024);
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/**
 * A value list's shape (see the layout in frames.ts): its length when all values are numbers,
 * -2 - (length | string mask << 4) when all are numbers or strings, -1 otherwise.
 */
export function shapeOf(values: unknown[]): number {
  const k = values.length;
  if (k > MAX_SCALARS) return MSGPACK;
  let mask = 0;
  for (let i = 0; i < k; i++) {
    const t = typeof values[i];
    if (t === 'string') mask |= 1 << i;
    else if (t !== 'number') return MSGPACK;
  }
  return mask === 0 ? k : -2 - (k | (mask << 4));
}

/** Append `str` as UTF-8 at `pos` of the string scratch (grown as needed); returns the byte length. */
export function writeString(str: string, pos: number): number {
  const len = str.length;
  if (pos + len * 3 > strBytes.length) {
    const bigger = new Uint8Array(Math.max(strBytes.length * 2, pos + len * 3));
    bigger.set(strBytes.subarray(0, pos));
    strBytes = bigger;
  }
  if (len >= LONG_STRING) return utf8Encoder.encodeInto(str, strBytes.subarray(pos)).written;
  const out = strBytes;
  let p = pos;
  for (let i = 0; i < len; i++) {
    const c = str.charCodeAt(i);
    if (c < 0x80) out[p++] = c;
    else if (c < 0x800) {
      out[p++] = 0xc0 | (c >> 6);
      out[p++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      // Surrogates (pairs and lone ones) the way TextEncoder writes them.
      return utf8Encoder.encodeInto(str, strBytes.subarray(pos)).written;
    } else {
      out[p++] = 0xe0 | (c >> 12);
      out[p++] = 0x80 | ((c >> 6) & 0x3f);
      out[p++] = 0x80 | (c & 0x3f);
    }
  }
  return p - pos;
}

/**
 * Strings shorter than this are sliced out of their frame's decoded block: V8 copies a slice
 * this short (longer slices would be views that keep the whole block alive as long as a bolt
 * keeps the string, e.g. as a map key), so these cost one native decode per frame.
 */
export const SLICE_COPIED = 13;

/** The string of `len` UTF-8 bytes at `at`, on its own (it never keeps the frame alive). */
export function decodeString(u8: Uint8Array, at: number, len: number): string {
  return utf8Decoder.decode(u8.subarray(at, at + len));
}

/** `a`, or a copy at least `n` long. */
export function grown(a: Int32Array, n: number): Int32Array {
  if (n <= a.length) return a;
  let size = a.length;
  while (size < n) size *= 2;
  const bigger = new Int32Array(size);
  bigger.set(a);
  return bigger;
}

/** The string scratch `writeString` wrote into (it is replaced when it grows). */
export function stringScratch(): Uint8Array {
  return strBytes;
}
