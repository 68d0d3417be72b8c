/**
 * Window assignment, firing and eviction over a WindowBuffer, in one unit of "time" that is
 * milliseconds for time windows and the arrival index for count windows, so tumbling and
 * sliding, count and time, processing and event time are one algorithm.
 *
 * Windows end on multiples of the slide S: window k holds timestamps in [kS - L, kS) and
 * fires once the watermark reaches kS (for counts: once kS tuples have arrived, as Storm's
 * count trigger). A fired window stays open until the watermark reaches kS + lateness; a
 * tuple arriving for an open fired window marks it dirty and it fires again at the next
 * evaluation. A tuple leaves the buffer (and is released, i.e. acked) when its last window
 * closes; one whose windows are all closed on arrival is late.
 */
import type { Tuple } from '../api/tuple.js';
import { WindowBuffer } from './window-buffer.js';

export interface WindowSink {
  /** Run the user's window; false when it failed (its tuples were failed and leave the buffer). */
  fire(tuples: Tuple[], fresh: Tuple[], expired: Tuple[], start: number, end: number, isUpdate: boolean): boolean;
  /** The tuple left its last window: ack it. */
  release(tuple: Tuple): void;
}

const NONE: Tuple[] = [];

export class WindowEngine {
  readonly buffer = new WindowBuffer();
  /** Watermark of the last evaluation; lateness is judged against it. */
  wm = Number.NEGATIVE_INFINITY;
  /** Windows below nextK have fired or been passed over (empty); none at first. */
  private nextK = Number.NEGATIVE_INFINITY;
  /** Fired windows that got late tuples, ascending, to fire again. */
  private readonly dirty: number[] = [];
  private expired: Tuple[] = NONE;
  private firing = 0;

  constructor(
    private readonly length: number,
    private readonly slide: number,
    private readonly lateness: number,
    private readonly sink: WindowSink,
    /** Count windows report starts clamped at 0 (there is no arrival before the first). */
    private readonly clampStart: boolean,
  ) {}

  /** End of the first window holding `ts` (when an in-order bolt should evaluate next). */
  firstEnd(ts: number): number {
    return (Math.floor(ts / this.slide) + 1) * this.slide;
  }

  /** Buffer a tuple; false when it is late (every window that would hold it has closed). */
  add(tuple: Tuple, ts: number): boolean {
    const S = this.slide;
    const kLast = Math.floor((ts + this.length) / S);
    if (kLast * S + this.lateness <= this.wm) return false;
    const passed = this.nextK - 1;
    const kFirst = Math.floor(ts / S) + 1;
    if (kFirst <= passed) {
      // Fired (or passed-over empty) windows still open for updates get it: fire them again.
      const open = Math.floor((this.wm - this.lateness) / S) + 1;
      const to = Math.min(kLast, passed);
      for (let k = Math.max(kFirst, open); k <= to; k++) this.markDirty(k);
    }
    this.buffer.insert(tuple, ts);
    return true;
  }

  get hasDirty(): boolean {
    return this.dirty.length > 0;
  }

  /**
   * Fire what the watermark `wm` allows, then evict. Returns the end of the next window
   * due (Infinity when the buffer is empty), for in-order bolts that evaluate per tuple.
   */
  evaluate(wm: number): number {
    if (wm > this.wm) this.wm = wm;
    const S = this.slide;
    const L = this.length;
    if (this.dirty.length > 0) {
      for (const k of this.dirty) this.fireWindow(k, true);
      this.dirty.length = 0;
    }
    let due = Number.POSITIVE_INFINITY;
    let k = this.nextK;
    const b = this.buffer;
    for (;;) {
      const i = b.lowerBound(k * S - L);
      if (i >= b.end) break;
      // Skip empty windows at once: the next one that can fire holds the next tuple.
      const k0 = Math.floor(b.times[i]! / S) + 1;
      if (k0 > k) k = k0;
      if (k * S > this.wm) {
        due = k * S;
        break;
      }
      this.fireWindow(k, false);
      this.nextK = ++k;
    }
    this.evict();
    return due;
  }

  /** End of input: fire every window still pending and release everything. */
  flush(): void {
    this.evaluate(Number.POSITIVE_INFINITY);
  }

  private evict(): void {
    const b = this.buffer;
    const S = this.slide;
    const bound = this.wm - this.lateness;
    let j = b.head;
    // Prefix only: a tuple's last window end grows with its timestamp.
    while (j < b.end && Math.floor((b.times[j]! + this.length) / S) * S <= bound) {
      const t = b.tuples[j]!;
      if (this.expired === NONE) this.expired = [];
      this.expired.push(t);
      this.sink.release(t);
      j++;
    }
    if (j !== b.head) b.evictTo(j);
  }

  private fireWindow(k: number, isUpdate: boolean): void {
    const b = this.buffer;
    const end = k * this.slide;
    const start = end - this.length;
    const from = b.lowerBound(start);
    const to = b.lowerBound(end);
    if (from === to) return;
    const n = ++this.firing;
    const tuples = b.tuples.slice(from, to);
    let seen = 0;
    for (let i = from; i < to; i++) if (b.marks[i] === n - 1) seen++;
    // All new (tumbling windows, the first firing): share the window's array instead of copying it.
    let fresh = tuples;
    if (seen > 0) {
      fresh = [];
      for (let i = from; i < to; i++) if (b.marks[i] !== n - 1) fresh.push(b.tuples[i]!);
    }
    for (let i = from; i < to; i++) b.marks[i] = n;
    const expired = this.expired;
    this.expired = NONE;
    const ok = this.sink.fire(tuples, fresh, expired, this.clampStart ? Math.max(0, start) : start, end, isUpdate);
    if (!ok) b.remove(from, to);
  }

  private markDirty(k: number): void {
    const d = this.dirty;
    let i = d.length;
    while (i > 0 && d[i - 1]! > k) i--;
    if (i > 0 && d[i - 1] === k) return;
    d.splice(i, 0, k);
  }
}
