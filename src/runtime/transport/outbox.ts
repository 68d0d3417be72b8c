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
  private readonly batches: unknown[][];
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
    this.since = new Array<number>(n).fill(-1);
    this.waiting = Array.from({ length: n }, () => []);
  }

  add(peer: number, task: number, streamCode: number, sourceTask: number, anchors: number[] | null, values: unknown[]): void {
    const b = this.batches[peer]!;
    if (b.length === 0) this.since[peer] = this.clock();
    b.push(task, streamCode, sourceTask, anchors, values);
    if (b.length >= this.batchSize * SLOTS_PER_TUPLE) this.flush(peer);
  }

  /** Send the batches whose first tuple is at least `maxDelayMs` old at `now`, then retry queued frames. */
  flushDue(now: number, maxDelayMs: number): void {
    for (let p = 0; p < this.batches.length; p++) {
      if (this.batches[p]!.length > 0 && now - this.since[p]! >= maxDelayMs) this.flush(p);
    }
    if (this.waitingFrames > 0) this.retry();
  }

  /** Encode and send (or queue) every non-empty batch, then retry queued frames. */
  flushAll(): void {
    for (let p = 0; p < this.batches.length; p++) if (this.batches[p]!.length > 0) this.flush(p);
    if (this.waitingFrames > 0) this.retry();
  }

  get hasWaiting(): boolean {
    return this.waitingFrames > 0;
  }

  get pendingTuples(): number {
    let n = 0;
    for (const b of this.batches) n += b.length / SLOTS_PER_TUPLE;
    return n;
  }

  private flush(peer: number): void {
    const b = this.batches[peer]!;
    const frame = this.encode(b);
    this.tuplesSent += b.length / SLOTS_PER_TUPLE;
    b.length = 0;
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
  private encode(b: unknown[]): Uint8Array | null {
    try {
      return encodeFrame(b);
    } catch {
      const good: unknown[] = [];
      for (let i = 0; i < b.length; i += SLOTS_PER_TUPLE) {
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
