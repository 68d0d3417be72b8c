/**
 * Simulated time (Storm's `Testing.withSimulatedTime` / `Time.advanceTime`): a clock that
 * moves only when the test says so. Given to `runTopology(topology, { clock })`, it drives
 * every timer of the run: spout message timeouts, tick tuples (the acker's expiry, window
 * watermarks, checkpoint intervals) and processing-time windows. `advance(ms)` moves time,
 * firing each timer at its own instant in due order and running the topology until idle
 * after each, so a 30 s timeout test takes milliseconds and never depends on the machine's
 * speed.
 *
 * Only in the calling thread (a Topology object): a simulated clock is an object in this
 * thread's memory, and a step waits for the run to be idle, which one thread can tell
 * exactly and at once (worker threads would need the time broadcast and a quiescence vote
 * per step, and would still race their own real-time loops).
 */
import type { CancelTimer, Clock } from '../api/clock.js';

interface Timer {
  due: number;
  readonly every: number;
  readonly fn: () => void;
  readonly seq: number;
  live: boolean;
}

/** Timers at one instant fire in the order they were set; a runaway chain of zero delays is cut here. */
const MAX_FIRINGS_PER_INSTANT = 100_000;

/**
 * A clock for tests. Time starts at `startMs` (default 0, the epoch) and moves only by
 * {@link SimulatedTime.advance} and {@link SimulatedTime.advanceTo}.
 *
 * @example
 * const time = new SimulatedTime();
 * const handle = await runTopology(topology, { clock: time, config: { messageTimeoutMs: 30_000 } });
 * feeder.feed(['a'], 1);
 * await time.advance(29_999);     // not failed yet
 * await time.advance(1);          // failed, exactly 30 s after its emit
 */
export class SimulatedTime implements Clock {
  private t: number;
  private timers: Timer[] = [];
  private seq = 0;
  private readonly runs = new Set<() => Promise<void>>();
  private stepping = false;

  constructor(startMs = 0) {
    if (!Number.isFinite(startMs)) throw new Error(`SimulatedTime: the start must be a finite number of ms, got ${startMs}`);
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  after(ms: number, fn: () => void): CancelTimer {
    return this.add(ms, 0, fn, 'after');
  }

  every(ms: number, fn: () => void): CancelTimer {
    if (!(ms > 0)) throw new Error(`SimulatedTime.every: the period must be a positive number of ms, got ${ms}`);
    return this.add(ms, ms, fn, 'every');
  }

  /** @internal A run in this thread registers how to wait until it is idle (see Clock.attach). */
  attach(settle: () => Promise<void>): () => void {
    this.runs.add(settle);
    return () => void this.runs.delete(settle);
  }

  /** Timers still to fire (periodic ones count once). */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** When the next timer is due, or null when none is set. */
  get nextDue(): number | null {
    return this.nextDueTime();
  }

  /**
   * Move time forward by `ms`: every timer due up to then fires at its own instant, earliest
   * first, and the attached runs are settled (run until idle) after each instant and at the
   * end. Resolves with the new time.
   */
  advance(ms: number): Promise<number> {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new Error(`SimulatedTime.advance: expected a non-negative number of ms, got ${ms}`);
    return this.advanceTo(this.t + ms);
  }

  /** Move time forward to `at` (see {@link SimulatedTime.advance}). */
  async advanceTo(at: number): Promise<number> {
    if (!Number.isFinite(at)) throw new Error(`SimulatedTime.advanceTo: expected a finite time, got ${at}`);
    if (at < this.t) throw new Error(`SimulatedTime.advanceTo: time never moves back (now ${this.t}, asked for ${at})`);
    if (this.stepping) throw new Error('SimulatedTime: advance called while another advance is running (await it first)');
    this.stepping = true;
    try {
      await this.settle();
      for (let next = this.nextDueTime(); next !== null && next <= at; next = this.nextDueTime()) {
        this.t = next;
        this.fireDue();
        await this.settle();
      }
      this.t = at;
      await this.settle();
      return this.t;
    } finally {
      this.stepping = false;
    }
  }

  /** Run every attached run until it is idle, without moving time. */
  async settle(): Promise<void> {
    for (const run of [...this.runs]) await run();
  }

  private add(ms: number, every: number, fn: () => void, what: string): CancelTimer {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new Error(`SimulatedTime.${what}: expected a non-negative number of ms, got ${ms}`);
    if (typeof fn !== 'function') throw new Error(`SimulatedTime.${what}: expected a function to call`);
    const timer: Timer = { due: this.t + ms, every, fn, seq: this.seq++, live: true };
    this.timers.push(timer);
    return () => {
      if (!timer.live) return;
      timer.live = false;
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }

  private nextDueTime(): number | null {
    let min: number | null = null;
    for (const x of this.timers) if (min === null || x.due < min) min = x.due;
    return min;
  }

  /** Fire every timer due now, in (due, set) order; a timer set for now by one of them fires too. */
  private fireDue(): void {
    for (let n = 0; ; n++) {
      let first: Timer | null = null;
      for (const x of this.timers) if (x.due <= this.t && (first === null || x.due < first.due || (x.due === first.due && x.seq < first.seq))) first = x;
      if (first === null) return;
      if (n >= MAX_FIRINGS_PER_INSTANT) throw new Error(`SimulatedTime: more than ${MAX_FIRINGS_PER_INSTANT} timers fired at ${this.t} ms (a timer re-setting itself for now?)`);
      if (first.every > 0) first.due += first.every;
      else {
        first.live = false;
        this.timers = this.timers.filter((x) => x !== first);
      }
      first.fn();
    }
  }
}
