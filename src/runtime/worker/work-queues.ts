/**
 * The two queues a worker's loop drains. `LocalQueue` holds tuples for tasks on this thread:
 * they never get encoded, and it is two parallel arrays with a read index, so queueing costs
 * no allocation per entry. `Inbox` holds frames from peer threads: a port hands its queued
 * messages to the listener back to back (up to a thousand), so they are only queued there
 * and the loop executes a few per round, leaving room for the supervisor's port, timers and
 * the flush of what they emitted.
 */
import type { Executor } from './executor.js';
import type { TupleImpl } from './tuple-impl.js';

export class LocalQueue {
  private tasks: number[] = [];
  private tuples: TupleImpl[] = [];
  private head = 0;

  push(task: number, t: TupleImpl): void {
    this.tasks.push(task);
    this.tuples.push(t);
  }

  get size(): number {
    return this.tuples.length - this.head;
  }

  /** Execute everything queued, including what those executes queue meanwhile. */
  drain(executors: ReadonlyArray<Executor | undefined>): void {
    while (this.head < this.tuples.length) {
      const i = this.head++;
      const t = this.tuples[i]!;
      const e = executors[this.tasks[i]!];
      if (e !== undefined) e.receive(t);
    }
    this.tasks.length = 0;
    this.tuples.length = 0;
    this.head = 0;
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
