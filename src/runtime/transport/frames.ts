/**
 * The wire format between threads. Callers see a batch as one flat array, five slots per
 * tuple (target task, stream code, source task, anchors or null, values); on the wire the
 * numbers travel as fixed-width binary and only the values go through msgpack:
 *
 *   int32  [n tuples, m anchor triples, values byte length, 0]
 *   int32  n x [task, stream code, source task, anchor triples or -1 for untracked]
 *   (pad to 8)
 *   float64 m x root          int32 m x [edge hi, edge lo]
 *   msgpack [values of tuple 0, values of tuple 1, ...]
 *
 * Anchors are mostly 53-bit roots and int32 edge halves, the very values msgpack spends
 * the most bytes and branches on; written as typed arrays they cost a store each, and
 * decoding reads them straight out of the transferred buffer. This module knows nothing
 * about topologies.
 */
import { Packr, Unpackr } from 'msgpackr';

export const SLOTS_PER_TUPLE = 5;

// Records on: objects of one shape in a frame (view updates, master-dataset records) have
// their field names written once, as a definition inline in that frame (no structures are
// shared, so every frame decodes on its own, in any thread), and decode into objects of one
// hidden class. Measured on 1000 such objects per frame: 1.4-1.5x the encode+decode rate of
// plain maps and 25-33% fewer bytes; arrays of primitives are unaffected. The price is paid
// by huge objects (100k keys encode+decode ~1.8x slower), which are rare in tuples.
// variableMapSize: objects with more than 65535 keys (a word count's totals) must encode too.
const packr = new Packr({ useRecords: true, moreTypes: true, variableMapSize: true });
// mapsAsObjects: a msgpack map still decodes to a plain object, as before records were on.
const unpackr = new Unpackr({ useRecords: true, moreTypes: true, mapsAsObjects: true });

const HEADER_INTS = 4;
const INTS_PER_TUPLE = 4;
// Reused between calls: encoding is synchronous and single-threaded per module instance.
let valuesList: unknown[] = [];

/**
 * Encode a batch into a buffer of its own (its ArrayBuffer is transferred to the receiving
 * thread). Throws when a value cannot be encoded (the outbox then isolates the culprit).
 */
export function encodeFrame(slots: unknown[]): Uint8Array {
  const n = slots.length / SLOTS_PER_TUPLE;
  let m = 0;
  valuesList.length = 0;
  for (let j = 0; j < slots.length; j += SLOTS_PER_TUPLE) {
    const anchors = slots[j + 3] as number[] | null;
    if (anchors !== null) m += anchors.length / 3;
    valuesList.push(slots[j + 4]);
  }
  let packed: Uint8Array;
  try {
    packed = packr.pack(valuesList);
  } finally {
    valuesList.length = 0;
  }
  const intsEnd = (HEADER_INTS + n * INTS_PER_TUPLE) * 4;
  const rootsAt = (intsEnd + 7) & ~7;
  const edgesAt = rootsAt + m * 8;
  const valuesAt = edgesAt + m * 8;
  const buf = new ArrayBuffer(valuesAt + packed.length);
  const ints = new Int32Array(buf, 0, intsEnd / 4);
  const roots = new Float64Array(buf, rootsAt, m);
  const edges = new Int32Array(buf, edgesAt, m * 2);
  ints[0] = n;
  ints[1] = m;
  ints[2] = packed.length;
  let h = HEADER_INTS;
  let a = 0;
  for (let j = 0; j < slots.length; j += SLOTS_PER_TUPLE) {
    ints[h++] = slots[j] as number;
    ints[h++] = slots[j + 1] as number;
    ints[h++] = slots[j + 2] as number;
    const anchors = slots[j + 3] as number[] | null;
    if (anchors === null) {
      ints[h++] = -1;
      continue;
    }
    ints[h++] = anchors.length / 3;
    for (let k = 0; k < anchors.length; k += 3) {
      roots[a] = anchors[k]!;
      edges[2 * a] = anchors[k + 1]!;
      edges[2 * a + 1] = anchors[k + 2]!;
      a++;
    }
  }
  const out = new Uint8Array(buf);
  out.set(packed, valuesAt);
  return out;
}

/** Decode a frame back into the flat five-slots-per-tuple array. */
export function decodeFrame(input: Uint8Array): unknown[] {
  // Typed views need an aligned start; a frame read out of a shared ring may not have one.
  const frame = (input.byteOffset & 7) === 0 ? input : input.slice();
  const base = frame.byteOffset;
  const head = new Int32Array(frame.buffer, base, HEADER_INTS);
  const n = head[0]!;
  const m = head[1]!;
  const valuesLength = head[2]!;
  const intsEnd = (HEADER_INTS + n * INTS_PER_TUPLE) * 4;
  const rootsAt = (intsEnd + 7) & ~7;
  const edgesAt = rootsAt + m * 8;
  const valuesAt = edgesAt + m * 8;
  if (valuesAt + valuesLength !== frame.byteLength) {
    throw new Error(`corrupt frame: ${frame.byteLength} bytes, header says ${valuesAt + valuesLength}`);
  }
  const ints = new Int32Array(frame.buffer, base, intsEnd / 4);
  const roots = new Float64Array(frame.buffer, base + rootsAt, m);
  const edges = new Int32Array(frame.buffer, base + edgesAt, m * 2);
  const values = unpackr.unpack(frame.subarray(valuesAt, valuesAt + valuesLength)) as unknown[];
  const slots = new Array<unknown>(n * SLOTS_PER_TUPLE);
  let h = HEADER_INTS;
  let a = 0;
  for (let i = 0, j = 0; i < n; i++, j += SLOTS_PER_TUPLE) {
    slots[j] = ints[h++];
    slots[j + 1] = ints[h++];
    slots[j + 2] = ints[h++];
    const k = ints[h++]!;
    if (k < 0) slots[j + 3] = null;
    else if (k === 1) {
      // The common case (one root): a packed literal, not a holey array.
      slots[j + 3] = [roots[a]!, edges[2 * a]!, edges[2 * a + 1]!];
      a++;
    } else {
      const anchors = new Array<number>(k * 3);
      for (let t = 0; t < k; t++, a++) {
        anchors[3 * t] = roots[a]!;
        anchors[3 * t + 1] = edges[2 * a]!;
        anchors[3 * t + 2] = edges[2 * a + 1]!;
      }
      slots[j + 3] = anchors;
    }
    slots[j + 4] = values[i];
  }
  return slots;
}
