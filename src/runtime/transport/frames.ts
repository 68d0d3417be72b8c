/**
 * The wire format between threads. Callers see a batch as one flat array, five slots per
 * tuple (target task, stream code, source task, anchors or null, values); on the wire the
 * numbers travel as fixed-width binary, strings as UTF-8 bytes, and only values that are
 * neither (objects, booleans, null, ...) go through msgpack:
 *
 *   int32  [n tuples, m anchor triples, msgpack byte length, k numbers, s strings, string bytes]
 *   int32  n x [task, stream code, source task, anchor triples or -1 for untracked, shape]
 *   (pad to 8)
 *   float64 m x root          float64 k x number          int32 m x [edge hi, edge lo]
 *   int32  s x [string byte length, string length]          string bytes (UTF-8)
 *   msgpack [values of each tuple whose values are not all numbers and strings, in order]
 *
 * A tuple's shape: its number of values when all are numbers (every acker message); -1 for
 * msgpacked values; else -2 - (count | string mask << 4), the mask saying which values are
 * strings (a word, a key and a count). Anchors are mostly 53-bit roots and int32 edge
 * halves, the very values msgpack spends the most bytes and branches on; written as typed
 * arrays they cost a store each, and decoding reads them straight out of the transferred
 * buffer. Short strings are written and read by a plain loop, so a frame of words never
 * enters msgpack (its per-value dispatch was the largest cost of a word crossing threads).
 * This module knows nothing about topologies.
 */
import { Buffer } from 'node:buffer';
import { Packr, Unpackr } from 'msgpackr';
import { MSGPACK, SLICE_COPIED, decodeString, grown, shapeOf, stringScratch, writeString } from './value-codec.js';

export const SLOTS_PER_TUPLE = 5;

// Records on: objects of one shape in a frame (view updates, master-dataset records) have
// their field names written once, as a definition inline in that frame (no structures are
// shared, so every frame decodes on its own, in any thread), and decode into objects of one
// hidden class. Measured on 1000 such objects per frame: 1.4-1.5x the encode+decode rate of
// plain maps and 25-33% fewer bytes; arrays of primitives are unaffected. The price is paid
// by huge objects (100k keys encode+decode ~1.8x slower), which are rare in tuples.
// variableMapSize: objects with more than 65535 keys (a word count's totals) must encode too.
const EMPTY = new Uint8Array(0);
const EMPTY_LIST: unknown[] = [];
const packr = new Packr({ useRecords: true, moreTypes: true, variableMapSize: true });
// mapsAsObjects: a msgpack map still decodes to a plain object, as before records were on.
const unpackr = new Unpackr({ useRecords: true, moreTypes: true, mapsAsObjects: true });

const HEADER_INTS = 6;
const INTS_PER_TUPLE = 5;
// Reused between calls: encoding is synchronous and single-threaded per module instance.
let valuesList: unknown[] = [];
let shapes: Int32Array = new Int32Array(1024);
let strLens: Int32Array = new Int32Array(1024);

/**
 * Encode a batch (the first `length` slots of `slots`) into a buffer of its own (its
 * ArrayBuffer is transferred to the receiving thread). Throws when a value cannot be encoded
 * (the outbox then isolates the culprit).
 */
export function encodeFrame(slots: unknown[], length = slots.length): Uint8Array {
  const n = length / SLOTS_PER_TUPLE;
  let m = 0;
  let k = 0;
  let ns = 0;
  let sb = 0;
  shapes = grown(shapes, n);
  valuesList.length = 0;
  for (let j = 0, i = 0; j < length; j += SLOTS_PER_TUPLE, i++) {
    const anchors = slots[j + 3] as number[] | null;
    if (anchors !== null) m += anchors.length / 3;
    const values = slots[j + 4] as unknown[];
    const c = shapeOf(values);
    shapes[i] = c;
    if (c >= 0) k += c;
    else if (c === MSGPACK) valuesList.push(values);
    else {
      const count = (-2 - c) & 0xf;
      strLens = grown(strLens, 2 * (ns + count));
      for (let t = 0; t < count; t++) {
        const v = values[t];
        if (typeof v === 'string') {
          const len = writeString(v, sb);
          strLens[2 * ns] = len;
          strLens[2 * ns + 1] = v.length;
          ns++;
          sb += len;
        } else k++;
      }
    }
  }
  let packed: Uint8Array;
  try {
    packed = valuesList.length > 0 ? packr.pack(valuesList) : EMPTY;
  } finally {
    valuesList.length = 0;
  }
  const intsEnd = (HEADER_INTS + n * INTS_PER_TUPLE) * 4;
  const rootsAt = (intsEnd + 7) & ~7;
  const numsAt = rootsAt + m * 8;
  const edgesAt = numsAt + k * 8;
  const lensAt = edgesAt + m * 8;
  const bytesAt = lensAt + ns * 8;
  const valuesAt = bytesAt + sb;
  // Not zero-filled (every byte but the alignment padding is written below): filling a fresh
  // buffer was an eighth of encoding a frame of words. Its own ArrayBuffer, so it transfers.
  const out = Buffer.allocUnsafeSlow(valuesAt + packed.length);
  const buf = out.buffer;
  const ints = new Int32Array(buf, 0, intsEnd / 4);
  const roots = new Float64Array(buf, rootsAt, m);
  const nums = new Float64Array(buf, numsAt, k);
  const edges = new Int32Array(buf, edgesAt, m * 2);
  ints[0] = n;
  ints[1] = m;
  ints[2] = packed.length;
  ints[3] = k;
  ints[4] = ns;
  ints[5] = sb;
  let h = HEADER_INTS;
  let a = 0;
  let q = 0;
  for (let j = 0, i = 0; j < length; j += SLOTS_PER_TUPLE, i++) {
    ints[h++] = slots[j] as number;
    ints[h++] = slots[j + 1] as number;
    ints[h++] = slots[j + 2] as number;
    const anchors = slots[j + 3] as number[] | null;
    if (anchors === null) ints[h++] = -1;
    else {
      ints[h++] = anchors.length / 3;
      for (let t = 0; t < anchors.length; t += 3) {
        roots[a] = anchors[t]!;
        edges[2 * a] = anchors[t + 1]!;
        edges[2 * a + 1] = anchors[t + 2]!;
        a++;
      }
    }
    const c = shapes[i]!;
    ints[h++] = c;
    if (c === MSGPACK) continue;
    const values = slots[j + 4] as unknown[];
    if (c >= 0) {
      for (let t = 0; t < c; t++) nums[q++] = values[t] as number;
    } else {
      const count = (-2 - c) & 0xf;
      for (let t = 0; t < count; t++) {
        const v = values[t];
        if (typeof v === 'number') nums[q++] = v;
      }
    }
  }
  if (ns > 0) {
    new Int32Array(buf, lensAt, 2 * ns).set(strLens.subarray(0, 2 * ns));
    out.set(stringScratch().subarray(0, sb), bytesAt);
  }
  if (packed.length > 0) out.set(packed, valuesAt);
  return out;
}

/** Receives one decoded tuple: the five slots of the flat layout. */
export type TupleVisitor = (task: number, streamCode: number, sourceTask: number, anchors: number[] | null, values: unknown[]) => void;

/**
 * Decode a frame and hand each tuple to `visit`, in order, without building the flat array
 * (the receiving thread's hot path). Returns the number of tuples.
 */
export function readFrame(input: Uint8Array, visit: TupleVisitor): number {
  // Typed views need an aligned start; a frame read out of a shared ring may not have one.
  const frame = (input.byteOffset & 7) === 0 ? input : input.slice();
  const base = frame.byteOffset;
  if (frame.byteLength < HEADER_INTS * 4) throw new Error(`corrupt frame: ${frame.byteLength} bytes, shorter than its header`);
  const head = new Int32Array(frame.buffer, base, HEADER_INTS);
  const n = head[0]!;
  const m = head[1]!;
  const valuesLength = head[2]!;
  const k = head[3]!;
  const ns = head[4]!;
  const sb = head[5]!;
  const intsEnd = (HEADER_INTS + n * INTS_PER_TUPLE) * 4;
  const rootsAt = (intsEnd + 7) & ~7;
  const numsAt = rootsAt + m * 8;
  const edgesAt = numsAt + k * 8;
  const lensAt = edgesAt + m * 8;
  const bytesAt = lensAt + ns * 8;
  const valuesAt = bytesAt + sb;
  if (n < 0 || m < 0 || k < 0 || ns < 0 || sb < 0 || valuesLength < 0 || valuesAt + valuesLength !== frame.byteLength) {
    throw new Error(`corrupt frame: ${frame.byteLength} bytes, header says ${valuesAt + valuesLength}`);
  }
  const ints = new Int32Array(frame.buffer, base, intsEnd / 4);
  const roots = new Float64Array(frame.buffer, base + rootsAt, m);
  const nums = new Float64Array(frame.buffer, base + numsAt, k);
  const edges = new Int32Array(frame.buffer, base + edgesAt, m * 2);
  const lens = new Int32Array(frame.buffer, base + lensAt, 2 * ns);
  const packed = valuesLength > 0 ? unpackr.unpack(frame.subarray(valuesAt, valuesAt + valuesLength)) as unknown[] : EMPTY_LIST;
  let h = HEADER_INTS;
  let a = 0;
  let q = 0;
  let p = 0;
  let si = 0;
  let sp = bytesAt;
  let sc = 0;
  // One native decode for all the frame's strings; short ones are sliced out of it by length.
  const block = ns > 0 ? decodeString(frame, bytesAt, sb) : '';
  for (let i = 0; i < n; i++) {
    const task = ints[h++]!;
    const stream = ints[h++]!;
    const source = ints[h++]!;
    const na = ints[h++]!;
    let anchors: number[] | null = null;
    if (na === 1) {
      // The common case (one root): a packed literal, not a holey array.
      anchors = [roots[a]!, edges[2 * a]!, edges[2 * a + 1]!];
      a++;
    } else if (na >= 0) {
      anchors = new Array<number>(na * 3);
      for (let t = 0; t < na; t++, a++) {
        anchors[3 * t] = roots[a]!;
        anchors[3 * t + 1] = edges[2 * a]!;
        anchors[3 * t + 2] = edges[2 * a + 1]!;
      }
    }
    const c = ints[h++]!;
    let values: unknown[];
    if (c === MSGPACK) values = packed[p++] as unknown[];
    else if (c >= 0) {
      values = new Array<unknown>(c);
      for (let t = 0; t < c; t++) values[t] = nums[q++];
    } else {
      const shape = -2 - c;
      const count = shape & 0xf;
      const mask = shape >> 4;
      if (count === 1) {
        // One string (a word, a key): a packed literal.
        const len = lens[2 * si]!;
        const chars = lens[2 * si + 1]!;
        si++;
        values = [chars < SLICE_COPIED ? block.slice(sc, sc + chars) : decodeString(frame, sp, len)];
        sp += len;
        sc += chars;
      } else {
        values = new Array<unknown>(count);
        for (let t = 0; t < count; t++) {
          if ((mask >> t) & 1) {
            const len = lens[2 * si]!;
            const chars = lens[2 * si + 1]!;
            si++;
            values[t] = chars < SLICE_COPIED ? block.slice(sc, sc + chars) : decodeString(frame, sp, len);
            sp += len;
            sc += chars;
          } else values[t] = nums[q++];
        }
      }
    }
    visit(task, stream, source, anchors, values);
  }
  return n;
}
/** Decode a frame back into the flat five-slots-per-tuple array. */
export function decodeFrame(input: Uint8Array): unknown[] {
  const slots: unknown[] = [];
  readFrame(input, (task, stream, source, anchors, values) => void slots.push(task, stream, source, anchors, values));
  return slots;
}
