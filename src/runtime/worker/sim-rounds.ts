/**
 * A worker loop under a simulated clock: the clock's steps wait until every thread is idle,
 * so each loop round reports whether it did work and `settle` waits for a round that did
 * none. Built only when the run's clock is simulated; a real clock never pays for it.
 */
import type { Clock } from '../../api/clock.js';

/** Real time a simulated-time step may take to settle before it is reported as never idle. */
const SETTLE_BOUND_MS = 10_000;

/** What settling reads of the loop it watches. */
export interface SettleTarget {
  readonly workerIndex: number;
  /** A round is scheduled and has not run yet. */
  readonly scheduled: boolean;
  readonly asyncPending: number;
  /** Tuples waiting in the local queue. */
  readonly queued: number;
  schedule(): void;
}

export class SimulatedRounds {
  private roundWaiters: Array<(worked: boolean) => void> = [];
  /** Detaches the loop from the clock. */
  readonly detach: () => void;

  constructor(attach: NonNullable<Clock['attach']>, private readonly target: SettleTarget) {
    this.detach = attach(() => this.settle());
  }

  /** `round`, reporting at its end whether it worked (bumped this thread's activity count). */
  reporting(round: () => void, activity: Int32Array): () => void {
    const w = this.target.workerIndex;
    return () => {
      const before = Atomics.load(activity, w);
      round();
      this.roundEnded(Atomics.load(activity, w) !== before);
    };
  }

  /** The end of a round: who waited for it learns whether it worked. */
  private roundEnded(worked: boolean): void {
    const waiters = this.roundWaiters;
    if (waiters.length === 0) return;
    this.roundWaiters = [];
    for (const w of waiters) w(worked);
  }

  /**
   * What each step of time awaits: resolves once a loop round did no work (no spout emitted,
   * nothing was queued) with nothing scheduled after it and no async execute outstanding.
   * Async executes wait on real I/O, so those are waited for in real time.
   */
  async settle(): Promise<void> {
    const t = this.target;
    const deadline = Date.now() + SETTLE_BOUND_MS;
    for (;;) {
      const worked = await new Promise<boolean>((resolve) => {
        this.roundWaiters.push(resolve);
        t.schedule();
      });
      if (!worked && !t.scheduled && t.asyncPending === 0 && t.queued === 0) return;
      if (Date.now() > deadline) {
        throw new Error(
          `simulated time: worker ${t.workerIndex} was not idle after ${SETTLE_BOUND_MS} ms of real time ` +
            `(${t.asyncPending} async execute(s) outstanding, ${t.queued} tuple(s) queued): ` +
            'a spout that never stops emitting or an execute that never settles cannot be waited for',
        );
      }
      if (t.asyncPending > 0 && !t.scheduled) await new Promise((r) => setTimeout(r, 1));
    }
  }
}
