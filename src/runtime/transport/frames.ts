/**
 * The wire format between threads: a batch is one msgpack array, five slots per tuple
 * (target task, stream code, source task, anchors or null, values). Flat, because one
 * array header per batch is cheaper to encode and decode than one per tuple.
 * This module knows nothing about topologies.
 */
import { Packr, Unpackr } from 'msgpackr';

export const SLOTS_PER_TUPLE = 5;

// Records off: tuples are arrays, and record definitions would have to be shared between threads.
// variableMapSize: objects with more than 65535 keys (a word count's totals) must encode too.
const packr = new Packr({ useRecords: false, moreTypes: true, variableMapSize: true });
const unpackr = new Unpackr({ useRecords: false, moreTypes: true });

/**
 * Encode a batch into a buffer of its own (msgpackr reuses its output buffer, and the
 * frame's ArrayBuffer is transferred to the receiving thread).
 */
export function encodeFrame(slots: unknown[]): Uint8Array {
  const packed = packr.pack(slots);
  const out = new Uint8Array(packed.length);
  out.set(packed);
  return out;
}

export function decodeFrame(frame: Uint8Array): unknown[] {
  return unpackr.unpack(frame) as unknown[];
}
