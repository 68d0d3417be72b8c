/**
 * When to restart a dead worker thread and when to give up. Deliberate chaos kills restart
 * at once and never count against the thread; other deaths back off exponentially, and a
 * thread dying `maxDeaths` times within `windowMs` fails the run.
 */
export interface RestartDecision {
  readonly delayMs: number;
  readonly giveUp: boolean;
  readonly chaos: boolean;
  /** Non-chaos deaths of this thread within the window. */
  readonly recent: number;
}

export class RestartPolicy {
  private readonly deaths = new Map<number, number[]>();
  private readonly chaosMarked = new Set<number>();
  total = 0;
  chaosTotal = 0;

  constructor(
    private readonly maxDeaths = 5,
    private readonly windowMs = 60000,
    private readonly baseDelayMs = 100,
    private readonly maxDelayMs = 5000,
  ) {}

  markChaos(w: number): void {
    this.chaosMarked.add(w);
  }

  onDeath(w: number, _error: string | null, now = Date.now()): RestartDecision {
    if (this.chaosMarked.delete(w)) {
      this.total++;
      this.chaosTotal++;
      return { delayMs: 0, giveUp: false, chaos: true, recent: 0 };
    }
    const list = (this.deaths.get(w) ?? []).filter((t) => now - t < this.windowMs);
    list.push(now);
    this.deaths.set(w, list);
    if (list.length >= this.maxDeaths) return { delayMs: 0, giveUp: true, chaos: false, recent: list.length };
    this.total++;
    const delayMs = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (list.length - 1));
    return { delayMs, giveUp: false, chaos: false, recent: list.length };
  }
}
