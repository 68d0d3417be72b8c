/**
 * The two queues a worker's loop drains. `LocalQueue` holds tuples for tasks on this thread:
 * they never get encoded, and it is two parallel arrays with a read and a write index, so
 * queueing costs no allocation per entry; the arrays are cleared after a drain, not emptied
 * (an emptied array gives up its backing store and regrows it every round). `Inbox` holds frames from peer threads: a port hands its queued
 * messages to the listener back to back (up to a thousand), so they are only queued there
 * and the loop executes a few per round, leaving room for the supervisor's port, timers and
 * the flush of what they emitted.
 */
import type { Executor } from './executor.js';
import type { TupleImpl } from './tuple-impl.js';

export class LocalQueue {
  private readonly tasks: number[] = [];
  private readonly tuples: Array<TupleImpl | undefined> = [];
  private head = 0;
  private tail = 0;

  push(task: number, t: TupleImpl): void {
    const k = this.tail++;
    this.tasks[k] = task;
    this.tuples[k] = t;
  }

  get size(): number {
    return this.tail - this.head;
  }

  /** Execute everything queued, including what those executes queue meanwhile. */
  drain(executors: ReadonlyArray<Executor | undefined>): void {
    if (this.tail === 0) return;
    const tuples = this.tuples;
    while (this.head < this.tail) {
      const i = this.head++;
      const t = tuples[i]!;
      const e = executors[this.tasks[i]!];
      if (e !== undefined) e.receive(t);
    }
    // Dropped, so executed tuples do not outlive the round.
    tuples.fill(undefined, 0, this.tail);
    this.head = 0;
    this.tail = 0;
  }
}

const EMPTY = new Uint8Array(0);

export class Inbox {
  private readonly frames: Uint8Array[] = [];
  private readonly peers: number[] = [];
  private head = 0;

  push(peer: number, frame: Uint8Array): void {
    this.peers.push(peer);
    this.frames.push(frame);
  }

  get size(): number {
    return this.frames.length - this.head;
  }

  /** Peer of the next frame; call before `take`. */
  nextPeer(): number {
    return this.peers[this.head]!;
  }

  /** The next frame, released from the queue (its buffer can be collected once decoded). */
  take(): Uint8Array {
    const i = this.head++;
    const f = this.frames[i]!;
    this.frames[i] = EMPTY;
    if (this.head === this.frames.length) {
      this.frames.length = 0;
      this.peers.length = 0;
      this.head = 0;
    }
    return f;
  }
}
