/**
 * Outgoing batches to peer threads. Tuples accumulate per peer; a batch is encoded and
 * posted when full, by `flushDue` once its first tuple has waited `maxDelayMs` (while the
 * thread keeps working or spins), or by `flushAll` when the thread is about to sleep. A
 * frame costs both threads a few microseconds whatever its size (postMessage, the message
 * event, a wake-up), so a steady trickle sent at the end of every loop round went out a few
 * tuples per frame and spent more on frames than on tuples. A channel
 * allows `maxInflight` unprocessed frames (counted in shared memory); beyond that frames
 * wait here and the thread raises its congestion flag, which pauses every spout.
 * Sending never blocks the event loop: two threads that feed each other cannot deadlock.
 */
import type { MessagePort } from 'node:worker_threads';
import type { SharedState } from '../shared-state.js';
import { encodeFrame, SLOTS_PER_TUPLE } from './frames.js';

export class Outbox {
  /**
   * Per peer: its batch's slots, of which the first `filled` are this batch's. Written in
   * place and cleared after each flush rather than emptied: an emptied array gives up its
   * backing store and regrew it every batch (half the cost of adding a tuple).
   */
  private readonly batches: unknown[][];
  private readonly filled: number[];
  /** Per peer: when the batch's first tuple was added (the host's clock), or -1 when empty. */
  private readonly since: number[];
  private readonly waiting: Uint8Array[][];
  private waitingFrames = 0;
  /** Frames and tuples posted so far (for the summary: tuples per frame shows batching at work). */
  framesSent = 0;
  tuplesSent = 0;

  constructor(
    /** Told about a tuple that could not be encoded (it is dropped from the batch). */
    private readonly onUnencodable: (slots: unknown[], error: unknown) => void,
    private readonly self: number,
    private readonly ports: Array<MessagePort | undefined>,
    private readonly shared: SharedState,
    private readonly batchSize: number,
    private readonly maxInflight: number,
    /** The host's clock (ms), read when a batch gets its first tuple. */
    private readonly clock: () => number,
  ) {
    const n = ports.length;
    this.batches = Array.from({ length: n }, () => []);
    this.filled = new Array<number>(n).fill(0);
    this.since = new Array<number>(n).fill(-1);
    this.waiting = Array.from({ length: n }, () => []);
  }

  add(peer: number, task: number, streamCode: number, sourceTask: number, anchors: number[] | null, values: unknown[]): void {
    const b = this.batches[peer]!;
    let k = this.filled[peer]!;
    if (k === 0) this.since[peer] = this.clock();
    b[k++] = task;
    b[k++] = streamCode;
    b[k++] = sourceTask;
    b[k++] = anchors;
    b[k++] = values;
    this.filled[peer] = k;
    if (k >= this.batchSize * SLOTS_PER_TUPLE) this.flush(peer);
  }

  /** Send the batches whose first tuple is at least `maxDelayMs` old at `now`, then retry queued frames. */
  flushDue(now: number, maxDelayMs: number): void {
    for (let p = 0; p < this.batches.length; p++) {
      if (this.filled[p]! > 0 && now - this.since[p]! >= maxDelayMs) this.flush(p);
    }
    if (this.waitingFrames > 0) this.retry();
  }

  /** Encode and send (or queue) every non-empty batch, then retry queued frames. */
  flushAll(): void {
    for (let p = 0; p < this.batches.length; p++) if (this.filled[p]! > 0) this.flush(p);
    if (this.waitingFrames > 0) this.retry();
  }

  get hasWaiting(): boolean {
    return this.waitingFrames > 0;
  }

  get pendingTuples(): number {
    let n = 0;
    for (const k of this.filled) n += k / SLOTS_PER_TUPLE;
    return n;
  }

  private flush(peer: number): void {
    const b = this.batches[peer]!;
    const k = this.filled[peer]!;
    const frame = this.encode(b, k);
    this.tuplesSent += k / SLOTS_PER_TUPLE;
    // Dropped, so the values it held do not outlive the batch.
    b.fill(undefined, 0, k);
    this.filled[peer] = 0;
    this.since[peer] = -1;
    if (frame === null) return;
    const q = this.waiting[peer]!;
    if (q.length === 0 && this.canSend(peer)) this.post(peer, frame);
    else {
      q.push(frame);
      this.waitingFrames++;
      Atomics.store(this.shared.congestion, this.self, 1);
    }
  }

  /**
   * Encode a batch. Emit-time checks catch almost every bad value, but if encoding still
   * throws, isolate the culprits so one bad tuple never takes its batch (or the thread) down.
   */
  private encode(b: unknown[], length: number): Uint8Array | null {
    try {
      return encodeFrame(b, length);
    } catch {
      const good: unknown[] = [];
      for (let i = 0; i < length; i += SLOTS_PER_TUPLE) {
        const one = b.slice(i, i + SLOTS_PER_TUPLE);
        try {
          encodeFrame(one);
          good.push(...one);
        } catch (err) {
          this.onUnencodable(one, err);
        }
      }
      return good.length > 0 ? encodeFrame(good) : null;
    }
  }

  /** Post queued frames while their channels have room. */
  retry(): void {
    for (let p = 0; p < this.waiting.length; p++) {
      const q = this.waiting[p]!;
      let i = 0;
      while (i < q.length && this.canSend(p)) this.post(p, q[i++]!);
      if (i > 0) {
        q.splice(0, i);
        this.waitingFrames -= i;
      }
    }
    if (this.waitingFrames === 0) Atomics.store(this.shared.congestion, this.self, 0);
  }

  private canSend(peer: number): boolean {
    return this.ports[peer] !== undefined && this.shared.inflight(this.self, peer) < this.maxInflight;
  }

  private post(peer: number, frame: Uint8Array): void {
    Atomics.add(this.shared.sent, this.self * this.shared.workers + peer, 1);
    this.framesSent++;
    this.ports[peer]!.postMessage(frame, [frame.buffer as ArrayBuffer]);
    this.shared.ring(peer);
  }

  /**
   * A peer thread died and is not replaced yet: its frames queue (raising congestion, which
   * pauses the spouts) until `replacePort` wires the replacement.
   */
  peerLost(peer: number): void {
    this.ports[peer] = undefined;
  }

  /** A peer thread was replaced: forget frames counted on the dead channel, keep queued ones. */
  replacePort(peer: number, port: MessagePort): void {
    this.ports[peer] = port;
    const k = this.self * this.shared.workers + peer;
    Atomics.store(this.shared.sent, k, 0);
  }
}
