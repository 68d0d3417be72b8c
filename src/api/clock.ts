/**
 * The one source of time of a run. Message timeouts (spout side), tick tuples (and so the
 * acker's expiry, window watermarks and state checkpoints) and processing-time windows all
 * read it, so a test that injects a simulated clock (`SimulatedTime`, topo-streams/testing)
 * moves every one of them together, as Storm's `Time` does under `withSimulatedTime`.
 * Components read it as `context.clock`.
 */

/** Cancels a timer set by {@link Clock.after} or {@link Clock.every}; calling it twice is harmless. */
export type CancelTimer = () => void;

export interface Clock {
  /** Milliseconds since the epoch, fractional; never moves back. */
  now(): number;
  /** Call `fn` once, `ms` from now on this clock. */
  after(ms: number, fn: () => void): CancelTimer;
  /** Call `fn` every `ms` on this clock, the first time `ms` from now. */
  every(ms: number, fn: () => void): CancelTimer;
  /**
   * Only on a simulated clock, which moves when a test says so: the run hands it a function
   * that resolves once the run has nothing left to do, and the clock awaits it after each
   * step, so advancing time also runs what that time made due. The result detaches the run.
   */
  attach?(settle: () => Promise<void>): () => void;
}

// Read once: each thread's own origin, so now() is one addition on top of performance.now().
const origin = performance.timeOrigin;
/** Node fires a longer timer after 1 ms; a timeout scan woken early only sleeps again. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Real time: sub-millisecond and monotonic (performance.now() from the thread's time origin),
 * on the epoch's scale so processing-time windows end on round wall-clock times. Timers are
 * unref'd: ticks and timeouts alone never keep a finished thread alive.
 */
export const wallClock: Clock = {
  now: () => origin + performance.now(),
  after(ms, fn) {
    const t = setTimeout(fn, Math.min(ms, MAX_TIMER_MS));
    t.unref();
    return () => clearTimeout(t);
  },
  every(ms, fn) {
    const t = setInterval(fn, Math.min(ms, MAX_TIMER_MS));
    t.unref();
    return () => clearInterval(t);
  },
};
