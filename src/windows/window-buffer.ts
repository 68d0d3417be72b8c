/**
 * The tuples a window bolt task holds, sorted by timestamp, as parallel arrays (tuple,
 * timestamp, last firing it appeared in) so that a window is a contiguous range found by
 * binary search and eviction drops a prefix. In-order input appends; out-of-order input is
 * moved back by an insertion step, which is short when disorder is bounded by the lag.
 */
import type { Tuple } from '../api/tuple.js';

export class WindowBuffer {
  readonly tuples: Tuple[] = [];
  readonly times: number[] = [];
  /** Number of the last firing each tuple was part of (-1: none yet), for `getNew()`. */
  readonly marks: number[] = [];
  /** Index of the first live entry; the prefix before it has been evicted. */
  head = 0;

  get size(): number {
    return this.tuples.length - this.head;
  }

  get end(): number {
    return this.tuples.length;
  }

  insert(tuple: Tuple, ts: number): void {
    const { tuples, times, marks } = this;
    let i = tuples.length;
    tuples.push(tuple);
    times.push(ts);
    marks.push(-1);
    // Equal timestamps keep arrival order (strict >), so count-like ties stay stable.
    while (i > this.head && times[i - 1]! > ts) {
      tuples[i] = tuples[i - 1]!;
      times[i] = times[i - 1]!;
      marks[i] = marks[i - 1]!;
      i--;
    }
    if (i !== tuples.length - 1) {
      tuples[i] = tuple;
      times[i] = ts;
      marks[i] = -1;
    }
  }

  /** First live index whose timestamp is >= ts (binary search). */
  lowerBound(ts: number): number {
    let lo = this.head;
    let hi = this.tuples.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.times[mid]! < ts) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Drop the live entries before index `to` (already handed out by the caller). */
  evictTo(to: number): void {
    this.head = to;
    // Compact now and then rather than shifting per eviction: amortised O(1) per tuple.
    if (this.head > 1024 && this.head * 2 > this.tuples.length) {
      this.tuples.splice(0, this.head);
      this.times.splice(0, this.head);
      this.marks.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Remove the entries [from, to) (a failed window's tuples; rare, so splice is fine). */
  remove(from: number, to: number): void {
    this.tuples.splice(from, to - from);
    this.times.splice(from, to - from);
    this.marks.splice(from, to - from);
  }

  /** Every live entry, oldest first, and empty the buffer. */
  drain(): Tuple[] {
    const out = this.tuples.slice(this.head);
    this.tuples.length = 0;
    this.times.length = 0;
    this.marks.length = 0;
    this.head = 0;
    return out;
  }
}
