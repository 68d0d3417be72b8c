/**
 * Shuffle and local-or-shuffle, load-aware (after Storm's LoadAwareShuffleGrouping). Each pass
 * is a random permutation in which a target task appears `COPIES` times scaled down by its
 * thread's load (0 idle .. 1 saturated, from `load`): with every target idle a pass holds each
 * task COPIES times, so the spread is exactly even (Storm's plain shuffle); a target whose
 * thread has its frame window to us full, or is congested, drops out of the next pass until
 * it drains. Loads are read once per pass (a few Atomics loads per COPIES x tasks tuples), so
 * the per-tuple cost is an array read, as before.
 *
 * Local-or-shuffle keeps tuples on the emitting thread (no encoding); given a load (config
 * `localOrShuffleSpill`) it spills while that thread is itself saturated (its local queue
 * holds more than it can drain soon): a pass then goes over every target, weighted the same
 * way, instead of piling more onto a thread that is already behind.
 */
import type { Router } from './routers.js';

/** A thread's load as seen from the emitting thread: 0 idle .. 1 saturated. */
export type LoadOf = (worker: number) => number;

const COPIES = 4;
/** Local load above which local-or-shuffle spills over every target. */
const SPILL_AT = 0.9;

export class ShuffleRouter implements Router {
  private order: number[] = [];
  private pos = 0;

  constructor(
    private readonly tasks: readonly number[],
    private readonly workerOf: readonly number[],
    private readonly random: () => number,
    /** Undefined: plain shuffle (every pass a permutation of the tasks once). */
    private readonly load: LoadOf | undefined,
  ) {}

  select(): number {
    if (this.pos >= this.order.length) this.nextPass();
    return this.order[this.pos++]!;
  }

  protected nextPass(): void {
    this.fill(this.tasks);
  }

  /** The next pass over `tasks`, each weighted by its thread's load, in random order. */
  protected fill(tasks: readonly number[]): void {
    const a = this.order;
    a.length = 0;
    if (this.load === undefined || tasks.length === 1) a.push(...tasks);
    else {
      for (const t of tasks) {
        const copies = Math.round(COPIES * (1 - Math.min(1, Math.max(0, this.load(this.workerOf[t]!)))));
        for (let k = 0; k < copies; k++) a.push(t);
      }
      // Every target saturated: spread evenly and let backpressure do its work.
      if (a.length === 0) for (const t of tasks) a.push(t);
    }
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
    this.pos = 0;
  }
}

export class LocalOrShuffleRouter extends ShuffleRouter {
  private readonly local: readonly number[];

  constructor(
    private readonly all: readonly number[],
    workerOf: readonly number[],
    private readonly self: number,
    random: () => number,
    private readonly loadOf: LoadOf | undefined,
  ) {
    super(all, workerOf, random, loadOf);
    this.local = all.filter((t) => workerOf[t] === self);
  }

  protected override nextPass(): void {
    if (this.local.length === 0) this.fill(this.all);
    else if (this.loadOf !== undefined && this.loadOf(this.self) >= SPILL_AT) this.fill(this.all);
    else this.fill(this.local);
  }
}
