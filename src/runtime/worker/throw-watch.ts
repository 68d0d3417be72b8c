/**
 * Watches a spout's nextTuple for a source that is gone for good: one that throws on every
 * call for `limitMs` must end the run. Rate-limited error lines alone let such a spout spin
 * forever (a directory read as a file: ~800 EISDIR errors a second, nothing shown with -q).
 * A spout waiting for its source should return without emitting, not throw.
 */
import { errorText } from './executor.js';

/** How long a spout may throw on every nextTuple call before the run fails (README, Guarantees). */
export const SPOUT_THROWING_FATAL_MS = 5000;

export class ThrowWatch {
  /** When the calls began throwing every time (0: the last call returned normally). */
  private since = 0;
  private throws = 0;
  private fired = false;

  constructor(private readonly limitMs = SPOUT_THROWING_FATAL_MS) {}

  /** A poll round whose calls all returned normally. */
  returned(): void {
    this.since = 0;
  }

  /**
   * A call threw (`someReturned`: an earlier call of the same round returned normally).
   * Returns the error that should end the run, once, when the limit is reached.
   */
  threw(err: unknown, someReturned: boolean, now = Date.now()): Error | null {
    if (someReturned || this.since === 0) {
      this.since = now;
      this.throws = 0;
    }
    this.throws++;
    if (this.fired || now - this.since < this.limitMs) return null;
    this.fired = true;
    const last = errorText(err).split('\n')[0];
    const e = new Error(`nextTuple threw on every call for ${this.limitMs / 1000} s (${this.throws} calls); last error: ${last}`);
    // The message says it all; a stack would only point here.
    e.stack = e.message;
    return e;
  }
}
