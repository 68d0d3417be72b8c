/**
 * Duplicate removal over a window of event time: a key seen again within `windowMs` of event
 * time is a duplicate. Duplicates come from replays (at-least-once delivery re-emits a line)
 * and from sources that log a fact twice; both repeat the event time exactly, so a window of
 * event time catches them while memory stays bounded. `topo produce` removes an input's
 * duplicates with it (a format's `stream.duplicates`); applications use it in bolts.
 *
 * Expiry follows an event-time watermark, `max ts seen - window`. An event older than the
 * watermark cannot be checked any more (its twin may have been forgotten): it is counted,
 * not dropped, and reported as `late` so the caller can count late events. Processing time
 * plays no part, so replaying an old file behaves exactly like reading it live.
 */

/** Verdict of {@link DedupeWindow.checkKey}: first sight, seen before, or too old to check. */
export type DedupeVerdict = 'new' | 'duplicate' | 'late';

/** Options of {@link DedupeWindow}. */
export interface DedupeOptions {
  /** How much event time to remember, ms; default 5 minutes. */
  readonly windowMs?: number;
}

/** Default dedupe window: 5 minutes of event time. */
export const DEFAULT_DEDUPE_WINDOW_MS = 5 * 60_000;

/**
 * Remembers the keys of the last `windowMs` of event time.
 *
 * Memory: a Set of keys plus a FIFO of (key, ts) in arrival order. Expiry pops the FIFO head
 * while its ts is below the watermark: O(1) amortised per event, each entry is pushed and
 * popped once. Arrival order is not ts order, so an entry can wait behind an older-arrived
 * but newer one; every entry was at or above the watermark when it arrived, so it outlives
 * its expiry by at most one window: memory stays within about two windows of events.
 */
export class DedupeWindow {
  /** Remembered keys (a key already here is a duplicate), each with the id of the event counted under it ('' if none given). */
  private readonly seen = new Map<string, string>();
  // The FIFO as two parallel arrays and a head index: no per-entry objects on the hot path.
  private keys: string[] = [];
  private times: number[] = [];
  private head = 0;
  private maxTs = -Infinity;
  readonly windowMs: number;

  constructor(options: DedupeOptions = {}) {
    const w = options.windowMs ?? DEFAULT_DEDUPE_WINDOW_MS;
    if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`windowMs must be a finite number >= 0, got ${w}`);
    this.windowMs = w;
  }

  /** Event time below which events are `late`: max ts seen minus the window. */
  get watermark(): number {
    return this.maxTs - this.windowMs;
  }

  /** Number of remembered events. */
  get size(): number {
    return this.seen.size;
  }

  /**
   * Checks one key at event time `ts` and remembers it with `id`. `new`: count it.
   * `duplicate`: the key was seen within the window; do not count it. `late`: older than the
   * watermark, could not be checked; count it and report it as late. {@link idOf} then tells
   * a duplicate (another id) from a replay of the counted event.
   */
  checkKey(key: string, ts: number, id: string): DedupeVerdict {
    if (ts < this.watermark) return 'late';
    if (this.seen.has(key)) return 'duplicate';
    this.seen.set(key, id);
    this.keys.push(key);
    this.times.push(ts);
    if (ts > this.maxTs) {
      this.maxTs = ts;
      this.expire();
    }
    return 'new';
  }

  /** The id remembered with `key` (the event counted under it), or undefined once forgotten. */
  idOf(key: string): string | undefined {
    return this.seen.get(key);
  }

  private expire(): void {
    const cut = this.watermark;
    while (this.head < this.keys.length && this.times[this.head]! < cut) {
      this.seen.delete(this.keys[this.head]!);
      this.head++;
    }
    // Compact once the dead prefix is the larger half: amortised O(1), arrays stay bounded.
    if (this.head > 1024 && this.head * 2 > this.keys.length) {
      this.keys = this.keys.slice(this.head);
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }
}
