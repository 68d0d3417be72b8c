/**
 * The event-time watermark of one window bolt task: the minimum over its input tasks of the
 * latest timestamp each has sent, minus the lag (Storm's WaterMarkEventGenerator, per task
 * as Flink's per-channel watermarks). An input task silent for `idleTimeoutMs` stops holding
 * it back (Flink's idleness); one that never sent holds it until it too counts as idle.
 * Per tuple this is two typed-array writes; the minimum is taken on ticks only.
 */
export class InputWatermarks {
  /** Task id -> slot + 1 (0: not an input task). */
  private readonly slotOf: Int32Array;
  private readonly latest: Float64Array;
  /** 1 when the slot sent something since the last tick: activity without a clock read per tuple. */
  private readonly seen: Uint8Array;
  private readonly lastActive: Float64Array;
  private current = Number.NEGATIVE_INFINITY;

  constructor(
    inputTasks: readonly number[],
    private readonly lagMs: number,
    private readonly idleTimeoutMs: number | undefined,
    now: number,
  ) {
    const max = inputTasks.reduce((m, t) => Math.max(m, t), 0);
    this.slotOf = new Int32Array(max + 1);
    inputTasks.forEach((t, i) => (this.slotOf[t] = i + 1));
    this.latest = new Float64Array(inputTasks.length).fill(Number.NEGATIVE_INFINITY);
    this.seen = new Uint8Array(inputTasks.length);
    this.lastActive = new Float64Array(inputTasks.length).fill(now);
  }

  /** Record a tuple's timestamp from `task`. Unknown tasks are ignored (they cannot hold the watermark). */
  observe(task: number, ts: number): void {
    const s = (task < this.slotOf.length ? this.slotOf[task]! : 0) - 1;
    if (s < 0) return;
    this.seen[s] = 1;
    if (ts > this.latest[s]!) this.latest[s] = ts;
  }

  /** The watermark now. Never moves back; with every input idle it stays where it is. */
  advance(now: number): number {
    let min = Number.POSITIVE_INFINITY;
    let active = false;
    for (let s = 0; s < this.latest.length; s++) {
      if (this.seen[s] === 1) {
        this.seen[s] = 0;
        this.lastActive[s] = now;
      } else if (this.idleTimeoutMs !== undefined && now - this.lastActive[s]! >= this.idleTimeoutMs) continue;
      active = true;
      if (this.latest[s]! < min) min = this.latest[s]!;
    }
    if (active && min - this.lagMs > this.current) this.current = min - this.lagMs;
    return this.current;
  }

  get value(): number {
    return this.current;
  }
}
