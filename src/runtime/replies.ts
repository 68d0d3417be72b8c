/**
 * Rounds of "ask every live thread, wait until each has answered": finish, close and fresh
 * metrics. A thread that dies counts as having answered, so a round never hangs on it.
 */
export class Replies {
  private readonly rounds = new Map<string, { left: Set<number>; resolve: () => void }>();

  /** Start round `key` for the given threads, run `send`, and resolve when all answered. */
  gather(key: string, threads: Iterable<number>, send: () => void): Promise<void> {
    const left = new Set(threads);
    if (left.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.rounds.set(key, { left, resolve });
      send();
    });
  }

  /** As `gather`, but resolves after `boundMs` at the latest (a thread busy in a long execute or a hung task). */
  async gatherWithin(key: string, threads: Iterable<number>, send: () => void, boundMs: number): Promise<void> {
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([this.gather(key, threads, send), new Promise((r) => (bound = setTimeout(r, boundMs)))]);
    clearTimeout(bound);
  }

  arrive(key: string, w: number): void {
    const round = this.rounds.get(key);
    if (!round) return;
    round.left.delete(w);
    if (round.left.size === 0) {
      this.rounds.delete(key);
      round.resolve();
    }
  }

  /** A thread died: it answers every open round. */
  died(w: number): void {
    for (const key of [...this.rounds.keys()]) this.arrive(key, w);
  }

  has(key: string): boolean {
    return this.rounds.has(key);
  }

  drop(key: string): void {
    this.rounds.delete(key);
  }
}
