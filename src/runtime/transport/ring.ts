/**
 * Single-producer single-consumer byte ring over a SharedArrayBuffer.
 *
 * Frames are length-prefixed and 4-byte aligned, so the prefix is one Int32
 * store and never straddles the end of the ring. A frame that does not fit in
 * the bytes left before the end is preceded by a WRAP marker and written at
 * offset 0 instead: frames are always contiguous, which lets `drain` hand out
 * zero-copy views.
 *
 * Neither side ever blocks its thread. The producer gets `false` from
 * `trySend` when the ring is full; the consumer parks with
 * `Atomics.waitAsync`, so its event loop keeps running. Notifies are only
 * issued when the other side has flagged that it is parked, because
 * `Atomics.notify` takes a lock and is the most expensive thing on the path.
 */

// Header layout, in Int32 slots. Head and tail sit on separate 64-byte cache
// lines so the producer's and consumer's stores do not false-share.
const HEAD = 0; // bytes ever written (wrapping int32), owned by the producer
const TAIL = 16; // bytes ever consumed (wrapping int32), owned by the consumer
const CONSUMER_PARKED = 32;
const PRODUCER_PARKED = 40;
const CLOSED = 48;
const HEADER_BYTES = 256;
const WRAP = -1;

type WaitAsyncResult = { async: false; value: string } | { async: true; value: Promise<string> };
// lib is ES2022 in this project; waitAsync is ES2024 but present in Node >= 16.
const waitAsync = (Atomics as unknown as {
  waitAsync(ta: Int32Array, index: number, value: number, timeout?: number): WaitAsyncResult;
}).waitAsync;

const RESOLVED = Promise.resolve();
const noop = (): void => {};

export class RingChannel {
  readonly shared: SharedArrayBuffer;
  /** Usable data bytes (a power of two). */
  readonly capacity: number;
  /** Largest frame payload `trySend` accepts; bigger frames throw RangeError. */
  readonly maxFrame: number;
  private readonly i32: Int32Array;
  private readonly u8: Uint8Array;
  private readonly mask: number;
  private keepAlive: ReturnType<typeof setInterval> | undefined;
  private parked = 0;

  private constructor(shared: SharedArrayBuffer) {
    const capacity = shared.byteLength - HEADER_BYTES;
    if (capacity < 64 || (capacity & (capacity - 1)) !== 0) {
      throw new RangeError(`ring data size must be a power of two >= 64, got ${capacity}`);
    }
    this.shared = shared;
    this.capacity = capacity;
    this.mask = capacity - 1;
    // Half the ring guarantees a frame eventually fits wherever head sits,
    // even after a wrap marker wastes the tail end of the buffer.
    this.maxFrame = capacity / 2 - 4;
    this.i32 = new Int32Array(shared);
    this.u8 = new Uint8Array(shared);
  }

  /** Allocates a ring with `bytes` of data space (rounded up to a power of two). */
  static create(bytes: number): RingChannel {
    let cap = 64;
    while (cap < bytes) cap *= 2;
    return new RingChannel(new SharedArrayBuffer(HEADER_BYTES + cap));
  }

  /** Attaches to a ring created elsewhere (e.g. received through workerData). */
  static fromShared(shared: SharedArrayBuffer): RingChannel {
    return new RingChannel(shared);
  }

  /** Producer side. Copies `frame` in; returns false (and writes nothing) when full. */
  trySend(frame: Uint8Array): boolean {
    const len = frame.length;
    if (len > this.maxFrame) throw new RangeError(`frame of ${len} bytes exceeds maxFrame ${this.maxFrame}`);
    const i32 = this.i32;
    if (Atomics.load(i32, CLOSED) !== 0) throw new Error('ring is closed');
    const record = 4 + ((len + 3) & ~3);
    const head = Atomics.load(i32, HEAD);
    const used = (head - Atomics.load(i32, TAIL)) | 0;
    let pos = head & this.mask;
    const toEnd = this.capacity - pos;
    const skip = toEnd < record ? toEnd : 0;
    if (skip + record > this.capacity - used) return false;
    if (skip !== 0) {
      i32[(HEADER_BYTES + pos) >> 2] = WRAP;
      pos = 0;
    }
    i32[(HEADER_BYTES + pos) >> 2] = len;
    this.u8.set(frame, HEADER_BYTES + pos + 4);
    // The seq-cst store publishes the payload writes above to the consumer.
    Atomics.store(i32, HEAD, (head + skip + record) | 0);
    if (Atomics.load(i32, CONSUMER_PARKED) !== 0) Atomics.notify(i32, HEAD);
    return true;
  }

  /**
   * Consumer side. Calls `cb` for up to `max` frames, oldest first; returns how
   * many. The view passed to `cb` aliases the ring and is only valid until `cb`
   * returns: copy it (or decode it) before returning. A frame whose callback
   * throws still counts as consumed, so one poison frame cannot wedge the ring.
   */
  drain(cb: (frame: Uint8Array) => void, max = Infinity): number {
    const i32 = this.i32;
    let tail = Atomics.load(i32, TAIL);
    let head = Atomics.load(i32, HEAD);
    let n = 0;
    while (n < max) {
      if (tail === head) {
        head = Atomics.load(i32, HEAD); // pick up frames written while we ran
        if (tail === head) break;
      }
      const pos = tail & this.mask;
      const len = i32[(HEADER_BYTES + pos) >> 2]!;
      if (len === WRAP) {
        tail = (tail + this.capacity - pos) | 0;
        continue;
      }
      const start = HEADER_BYTES + pos + 4;
      tail = (tail + 4 + ((len + 3) & ~3)) | 0;
      n++;
      try {
        cb(this.u8.subarray(start, start + len));
      } finally {
        // Released per frame so a producer stalled on a full ring resumes early.
        Atomics.store(i32, TAIL, tail);
        if (Atomics.load(i32, PRODUCER_PARKED) !== 0) Atomics.notify(i32, TAIL);
      }
    }
    return n;
  }

  /** Consumer side. Resolves once there is at least one frame, or the ring is closed. */
  waitForData(): Promise<void> {
    // Park only while empty: head still equals our tail.
    return this.park(CONSUMER_PARKED, HEAD, (head) => head === Atomics.load(this.i32, TAIL));
  }

  /** Producer side. Resolves once the consumer has freed some space, or the ring is closed. */
  waitForSpace(): Promise<void> {
    // Park only while the ring is non-empty: the consumer is then bound to
    // move the tail. The caller retries trySend and parks again if its frame
    // still does not fit.
    return this.park(PRODUCER_PARKED, TAIL, (tail) => tail !== Atomics.load(this.i32, HEAD));
  }

  /** Bytes currently queued, including prefixes and padding. */
  bytesUsed(): number {
    return (Atomics.load(this.i32, HEAD) - Atomics.load(this.i32, TAIL)) | 0;
  }

  /** Marks the ring closed and wakes both sides; pending frames can still be drained. */
  close(): void {
    Atomics.store(this.i32, CLOSED, 1);
    Atomics.notify(this.i32, HEAD);
    Atomics.notify(this.i32, TAIL);
  }

  isClosed(): boolean {
    return Atomics.load(this.i32, CLOSED) !== 0;
  }

  /**
   * Waits until slot `watch` changes, unless `mustWait(current value)` says
   * there is already something to do. The parked flag is stored before `watch` is re-read and the other
   * side stores `watch` before reading the flag; with seq-cst atomics one of
   * the two must see the other's write, so a wakeup cannot be lost.
   */
  private park(flag: number, watch: number, mustWait: (seen: number) => boolean): Promise<void> {
    const i32 = this.i32;
    Atomics.store(i32, flag, 1);
    const seen = Atomics.load(i32, watch);
    if (!mustWait(seen) || Atomics.load(i32, CLOSED) !== 0) {
      Atomics.store(i32, flag, 0);
      return RESOLVED;
    }
    const res = waitAsync(i32, watch, seen);
    if (!res.async) {
      Atomics.store(i32, flag, 0);
      return RESOLVED;
    }
    // A pending waitAsync does not keep Node's event loop alive; without a
    // ref'd handle a thread whose only work is this ring would exit while
    // parked. One idle timer per ring, ref'd only while someone is parked,
    // keeps timer setup off the wakeup path.
    this.keepAlive ??= setInterval(noop, 1 << 30).unref();
    if (this.parked++ === 0) this.keepAlive.ref();
    return res.value.then(() => {
      if (--this.parked === 0) this.keepAlive?.unref();
      Atomics.store(i32, flag, 0);
    });
  }
}
