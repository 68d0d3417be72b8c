/**
 * The errors a run's components reported, newest last, as the supervisor received them: the
 * dashboard's error history (time, component, task, full text with the stack). Bounded: a
 * bolt that throws on every tuple is already rate-limited per thread (worker/host.ts), and
 * the log keeps only the latest `capacity` entries, so a long run cannot grow it. Counts per
 * component stay exact in the task counters; this is the text behind them.
 */

export interface ReportedError {
  /** 1, 2, ... in arrival order: a page that already shows entries up to n adds only later ones. */
  readonly seq: number;
  /** Arrival time at the supervisor (ms since the epoch). */
  readonly at: number;
  readonly component: string;
  readonly taskId: number;
  /** The full text: message and stack as the worker formatted them. */
  readonly message: string;
  /** True when the error ended the run (OutputCollector.failRun). */
  readonly fatal: boolean;
}

export class ErrorLog {
  private readonly entries: ReportedError[] = [];
  private seq = 0;

  constructor(private readonly capacity = 100) {}

  add(component: string, taskId: number, message: string, fatal = false, at = Date.now()): ReportedError {
    const e: ReportedError = { seq: ++this.seq, at, component, taskId, message, fatal };
    this.entries.push(e);
    if (this.entries.length > this.capacity) this.entries.shift();
    return e;
  }

  /** The kept entries, oldest first. */
  recent(): readonly ReportedError[] {
    return this.entries;
  }

  /** Entries received so far, including those no longer kept. */
  get total(): number {
    return this.seq;
  }
}
