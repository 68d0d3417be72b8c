/**
 * What the master sink remembers while its folder cannot be written (disk full, read-only,
 * I/O errors): since when, the next retry's delay (exponential, capped), and whether the run
 * was already failed for it. Kept apart from the bolt so its rules read in one place:
 *
 * - the first failure starts the outage; each failed retry doubles the delay, from
 *   `retryMinMs` to `retryMaxMs`; a successful flush ends it;
 * - after `failAfterMs` of continuous failure (0: never) the run is failed once
 *   (OutputCollector.failRun) with the last error, which names the folder and the errno.
 */

export interface OutageOptions {
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  readonly failAfterMs: number;
}

export const DEFAULT_OUTAGE: OutageOptions = { retryMinMs: 50, retryMaxMs: 2000, failAfterMs: 60_000 };

export class Outage {
  /** When the current outage began, or null while writes succeed. */
  since: number | null = null;
  lastError: Error | null = null;
  private delay: number;
  private fatalSent = false;

  constructor(private readonly o: OutageOptions) {
    this.delay = o.retryMinMs;
  }

  get active(): boolean {
    return this.since !== null;
  }

  /** A flush failed: returns the delay before the next attempt. */
  failed(err: unknown, now = Date.now()): number {
    this.since ??= now;
    this.lastError = err instanceof Error ? err : new Error(String(err));
    const d = this.delay;
    this.delay = Math.min(this.delay * 2, this.o.retryMaxMs);
    return d;
  }

  /** A flush succeeded: the outage (if any) is over. */
  ended(): void {
    this.since = null;
    this.lastError = null;
    this.delay = this.o.retryMinMs;
  }

  /** The error to fail the run with, once, when the outage has lasted `failAfterMs`; else null. */
  fatal(now = Date.now()): Error | null {
    if (this.fatalSent || this.since === null || this.o.failAfterMs <= 0 || now - this.since < this.o.failAfterMs) return null;
    this.fatalSent = true;
    return new Error(`the master dataset could not be written for ${((now - this.since) / 1000).toFixed(1)} s (master.failAfterMs ${this.o.failAfterMs}): ${this.lastError?.message ?? 'unknown error'}`);
  }
}
