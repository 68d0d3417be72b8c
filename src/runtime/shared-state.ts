/**
 * Counters every thread can read without a message: one SharedArrayBuffer of int32 cells.
 * Each cell has a single writer (noted per field), so plain Atomics.store/add suffice.
 * The supervisor reads them for completion, idleness and progress; spouts read the
 * congestion cells to stop emitting under backpressure.
 */
export class SharedState {
  readonly sab: SharedArrayBuffer;
  /** sent[i*W+j]: frames worker i posted to j (writer: i). */
  readonly sent: Int32Array;
  /** processed[i*W+j]: frames from i that j finished (writer: j). */
  readonly processed: Int32Array;
  /** 1 while worker w holds frames it could not send or a long local queue (writer: w). */
  readonly congestion: Int32Array;
  /** Bumped by worker w whenever it does any work (writer: w); idleness = no change. */
  readonly activity: Int32Array;
  /** 1 while worker w has queued or executing tuples (writer: w). */
  readonly busy: Int32Array;
  /** Tracked trees in flight per spout task id (writer: the spout's worker). */
  readonly spoutPending: Int32Array;
  /** 1 when the spout task is exhausted and nothing it emitted is pending (writer: same). */
  readonly spoutDone: Int32Array;
  /** Trees acked per spout task id since its thread started (writer: the spout's worker); chaos paces kills by it. */
  readonly spoutAcked: Int32Array;
  /** Bumped by every sender after it posts a frame to worker w (writers: w's peers); w naps on it. */
  readonly doorbell: Int32Array;
  /** 1 while worker w naps on its doorbell (writer: w): senders then wake it. */
  readonly napping: Int32Array;

  constructor(readonly workers: number, readonly maxTaskId: number, sab?: SharedArrayBuffer) {
    const w2 = workers * workers;
    const t = maxTaskId + 1;
    const cells = 2 * w2 + 5 * workers + 3 * t;
    this.sab = sab ?? new SharedArrayBuffer(cells * 4);
    let off = 0;
    const take = (n: number): Int32Array => {
      const a = new Int32Array(this.sab, off * 4, n);
      off += n;
      return a;
    };
    this.sent = take(w2);
    this.processed = take(w2);
    this.congestion = take(workers);
    this.activity = take(workers);
    this.busy = take(workers);
    this.spoutPending = take(t);
    this.spoutDone = take(t);
    this.spoutAcked = take(t);
    this.doorbell = take(workers);
    this.napping = take(workers);
  }

  /** A frame was posted to worker w: ring its doorbell, and wake it if it naps (nap.ts). */
  ring(w: number): void {
    Atomics.add(this.doorbell, w, 1);
    if (Atomics.load(this.napping, w) !== 0) Atomics.notify(this.doorbell, w, 1);
  }

  /** Frames posted from i to j and not yet processed by j. */
  inflight(i: number, j: number): number {
    const k = i * this.workers + j;
    return Atomics.load(this.sent, k) - Atomics.load(this.processed, k);
  }

  anyCongested(): boolean {
    const c = this.congestion;
    for (let i = 0; i < c.length; i++) if (c[i] !== 0) return true;
    return false;
  }

  totalPending(): number {
    let n = 0;
    for (let i = 0; i < this.spoutPending.length; i++) n += Atomics.load(this.spoutPending, i);
    return n;
  }
}
