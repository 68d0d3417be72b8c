/**
 * Wire-shaped tuples and the two batch layouts the transport benches compare.
 *
 * A tuple on the wire is
 *   [targetTask, sourceTask, streamIdx, anchors: null | [root, hi, lo], values]
 * "nested" packs a batch as an array of those arrays; "flat" writes every
 * field into one array so the decoder makes one big array instead of 2-3
 * small ones per tuple. Both decoders hand the receiver the same things
 * (target, anchors, values) so their cost is compared like for like.
 */
import { Packr } from 'msgpackr';

export type Anchors = null | [root: number, hi: number, lo: number];
export type WireTuple = [target: number, source: number, stream: number, anchors: Anchors, values: unknown[]];
export type Layout = 'nested' | 'flat';

const WORDS = ['some word', 'storm', 'topology', 'bolt', 'spout', 'acker', 'tuple', 'stream'];

/** Deterministic batch: alternating anchored/unanchored tuples, as a mixed acking topology would send. */
export function makeBatch(size: number, seed = 1): WireTuple[] {
  const out: WireTuple[] = [];
  for (let i = 0; i < size; i++) {
    const k = seed + i;
    const anchors: Anchors = k % 2 === 0 ? [k * 7919 + 0.5, (k * 2654435761) | 0, (k * 40503) | 0] : null;
    out.push([k % 8, 100 + (k % 4), k % 3, anchors, [WORDS[k % WORDS.length]!, 1]]);
  }
  return out;
}

/** Flat layout: per tuple `target, source, stream, (null | root, hi, lo), nValues, ...values`. */
export function flatten(batch: WireTuple[]): unknown[] {
  const flat: unknown[] = [];
  for (const [target, source, stream, anchors, values] of batch) {
    flat.push(target, source, stream);
    if (anchors === null) flat.push(null);
    else flat.push(anchors[0], anchors[1], anchors[2]);
    flat.push(values.length, ...values);
  }
  return flat;
}

/**
 * Copies encoder output into its own exactly-sized ArrayBuffer. msgpackr
 * returns a Node Buffer viewing its reused scratch buffer, and Buffer#slice
 * is a view, not a copy: transferring `pack(x).slice().buffer` would detach
 * the encoder's scratch space. This is the copy the transfer path must pay.
 */
export function ownBytes(b: Uint8Array): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(b.length);
  copy.set(b);
  return copy;
}

/** What a receiver does per tuple; returns a checksum so the JIT cannot drop the work. */
export type TupleSink = (target: number, anchors: Anchors, values: unknown[]) => number;

export const countingSink: TupleSink = (target, anchors, values) =>
  target + (anchors === null ? 0 : 1) + values.length;

/** Walks a decoded nested batch; returns the tuple count. */
export function consumeNested(decoded: unknown, sink: TupleSink): number {
  const batch = decoded as WireTuple[];
  for (let i = 0; i < batch.length; i++) {
    const t = batch[i]!;
    sink(t[0], t[3], t[4]);
  }
  return batch.length;
}

/** Walks a decoded flat batch, rebuilding the per-tuple values array a bolt would need. */
export function consumeFlat(decoded: unknown, sink: TupleSink): number {
  const a = decoded as unknown[];
  let i = 0;
  let n = 0;
  while (i < a.length) {
    const target = a[i] as number;
    let anchors: Anchors = null;
    if (a[i + 3] === null) i += 4;
    else {
      anchors = [a[i + 3] as number, a[i + 4] as number, a[i + 5] as number];
      i += 6;
    }
    const nv = a[i] as number;
    const values = a.slice(i + 1, i + 1 + nv);
    i += 1 + nv;
    sink(target, anchors, values);
    n++;
  }
  return n;
}

/** One codec per layout; the Packr instance is reused because that is what the runtime would do. */
export interface BatchCodec {
  layout: Layout;
  encode(batch: WireTuple[]): Uint8Array;
  /** Decodes and feeds every tuple to `sink`; returns the tuple count. */
  decode(bytes: Uint8Array, sink: TupleSink): number;
}

export function makeCodec(layout: Layout, packr = new Packr({ useRecords: false })): BatchCodec {
  return layout === 'nested'
    ? {
        layout,
        encode: (batch) => packr.pack(batch),
        decode: (bytes, sink) => consumeNested(packr.unpack(bytes), sink),
      }
    : {
        layout,
        encode: (batch) => packr.pack(flatten(batch)),
        decode: (bytes, sink) => consumeFlat(packr.unpack(bytes), sink),
      };
}
