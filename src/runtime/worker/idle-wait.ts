/**
 * How a worker's loop waits once a round leaves nothing to do at once (Storm's progressive
 * wait strategy): for `idleSpinMs` after work it polls again at once (off by default); while
 * a spout has nothing to emit it naps (below), or once the thread has been quiet a while,
 * sleeps on a 1 ms poll timer; with no spout waiting it sleeps until a message comes.
 *
 * The nap: a short sleep while a spout has nothing to emit but the thread worked a moment
 * ago (the progressive wait's middle level: park briefly before sleeping a millisecond). The thread blocks in `Atomics.wait` on its doorbell for NAP_MS, and a peer
 * posting it a frame rings the bell and wakes it at once. The 1 ms poll timer it replaces
 * fires after 1-2 ms (libuv timers count whole milliseconds), and a rate-limited spout's
 * tuples waited that long to be emitted: the tail of complete latency at a steady 100 k
 * tuples/s. A nap costs a futex wait and a loop round, not a spinning core.
 *
 * While napping the thread's event loop does not run: supervisor messages, timers and
 * settled promises wait at most NAP_MS. Only on the runtime's own worker threads (a run in
 * the calling thread must not block it), never under a simulated clock (its rounds are counted).
 */
import type { SharedState } from '../shared-state.js';

/** Idle spouts are polled again after this long once the naps are over (Storm's sleep level). */
const IDLE_POLL_MS = 1;
/** One nap, ms: well under the 1 ms timer, long enough that an idle spout costs little CPU. */
export const NAP_MS = 0.1;
/** Naps only this long after the thread's last real work; then the 1 ms timer again. */
export const NAP_WINDOW_MS = 50;

export class Nap {
  /** The doorbell's value at the start of the current loop round. */
  private lastBell = 0;

  constructor(private readonly shared: SharedState, private readonly self: number) {}

  /** A loop round starts: frames posted from now on have message events still to come. */
  look(): void {
    this.lastBell = Atomics.load(this.shared.doorbell, this.self);
  }

  /**
   * Nap, unless a frame was posted since the round began: its message event is then due,
   * and the loop only has to go round. Either way the caller schedules the next round.
   */
  take(): void {
    const s = this.shared;
    const w = this.self;
    const bell = this.lastBell;
    if (Atomics.load(s.doorbell, w) !== bell) return;
    // Flag first, then look again: a sender bumps the bell before it reads the flag, so one
    // of the two sees the other and a frame cannot slip by unwoken.
    Atomics.store(s.napping, w, 1);
    if (Atomics.load(s.doorbell, w) === bell) Atomics.wait(s.doorbell, w, bell, NAP_MS);
    Atomics.store(s.napping, w, 0);
  }
}

export class IdleWait {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    /** Null where the thread must not block (see above). */
    private readonly nap: Nap | null,
    /** Run a round now (from the poll timer). */
    private readonly round: () => void,
    /** Run a round after the loop's I/O poll (setImmediate). */
    private readonly schedule: () => void,
  ) {}

  /** A round starts: the poll timer is moot, and the doorbell is looked at. */
  roundStarted(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.nap?.look();
  }

  /**
   * A round ended with nothing to do at once, `sinceWorkMs` after the thread's last real
   * work; `pollDue`: a spout waits for something to emit (or frames wait for a window).
   */
  wait(sinceWorkMs: number, active: boolean, spinMs: number, pollDue: boolean): void {
    if (active && sinceWorkMs < spinMs) {
      // A steady stream's next tuple or frame then finds the thread awake, instead of waiting
      // out the poll timer or a halted CPU's wake-up. Peer frames still arrive between
      // rounds: setImmediate runs after the loop's I/O poll.
      this.schedule();
      return;
    }
    if (!pollDue || this.timer !== null) return;
    if (this.nap !== null && active && sinceWorkMs < NAP_WINDOW_MS) {
      this.nap.take();
      this.schedule();
    } else this.timer = setTimeout(this.round, IDLE_POLL_MS);
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
