/**
 * What a window bolt's `execute` receives: the window (Storm's TupleWindow) and a collector
 * whose emits are anchored to the window's tuples, so an output's tree includes every input
 * it was computed from and a failure downstream replays them all.
 */
import type { OutputCollector } from '../api/collectors.js';
import type { Tuple } from '../api/tuple.js';
import type { TupleWindow, WindowOutputCollector } from '../api/windowed.js';

export class FiredWindow implements TupleWindow {
  constructor(
    private readonly tuples: readonly Tuple[],
    private readonly fresh: readonly Tuple[],
    private readonly expired: readonly Tuple[],
    readonly start: number,
    readonly end: number,
    readonly isUpdate: boolean,
  ) {}
  get(): readonly Tuple[] {
    return this.tuples;
  }
  getNew(): readonly Tuple[] {
    return this.fresh;
  }
  getExpired(): readonly Tuple[] {
    return this.expired;
  }
}

/** One per bolt task, pointed at the window being executed (no allocation per firing). */
export class AnchoredCollector implements WindowOutputCollector {
  anchors: readonly Tuple[] | null = null;
  private c!: OutputCollector;

  bind(collector: OutputCollector): void {
    this.c = collector;
  }

  emit(values: unknown[], stream?: string): void {
    this.c.emit(this.live(), values, stream);
  }
  emitDirect(taskId: number, values: unknown[], stream?: string): void {
    this.c.emitDirect(taskId, this.live(), values, stream);
  }
  reportError(error: unknown): void {
    this.c.reportError(error);
  }

  private live(): readonly Tuple[] {
    // After execute returned the window's tuples may be acked: anchoring to them would corrupt their trees.
    if (this.anchors === null) throw new Error('a window collector emits only while its window executes');
    return this.anchors;
  }
}
