/**
 * `--chaos kill-worker=<interval>[,max=<n>]`: kills a random thread that hosts no spout task,
 * paced by the run's progress as well as by the clock, so chaos can slow a run down but never
 * stop it. Paced by the clock alone it livelocked (issue 12): every pageviews tree crosses
 * the one killable thread and takes longer than 200 ms, so each kill failed every tree before
 * it could complete (2,726 kills in 10.5 minutes, 4% of the lines acked).
 *
 * The rule (README, CLI and Guarantees): a kill is due `interval` after the previous one (or
 * after activation) and happens at the first check when both hold:
 *   - every thread is up: none died and is still being replaced or preparing its tasks;
 *   - every spout task has acked, since the previous kill, at least as many trees as it had
 *     pending at that kill, and at least one if it has trees pending now.
 * A kill fails at most the trees pending at it, and the next kill waits until as many trees
 * have been acked, so kills never outnumber progress and a finite input always completes.
 * With `max` the kills stop after that many.
 */
import { RunError } from './physical-plan.js';
import type { SharedState } from './shared-state.js';
import type { Plan } from '../topology/plan.js';
import type { Assignment } from './messages.js';
import { spoutTasks, spoutWorkers } from './scheduler.js';

/**
 * Below this the interval would be paced by thread restarts, not by the clock: a kill uses up
 * the warm standby thread and booting the next one takes about this long on a loaded machine.
 */
export const MIN_CHAOS_INTERVAL_MS = 100;
/** How often a due kill re-checks the rule (a few atomic loads). */
const CHECK_MS = 20;

export interface ChaosSettings {
  readonly everyMs: number;
  /** Stop after this many kills (unbounded when undefined). */
  readonly maxKills?: number | undefined;
}

export interface ChaosHost {
  readonly shared: SharedState;
  readonly plan: Plan;
  readonly assignment: Assignment;
  /** True while the run is running and no thread is dead, restarting or still preparing its tasks. */
  allThreadsUp(): boolean;
  kill(worker: number): void;
  event(text: string): void;
}

export function checkChaosSettings(s: ChaosSettings): void {
  if (!(s.everyMs >= MIN_CHAOS_INTERVAL_MS)) {
    throw new RunError(`--chaos kill-worker: the interval must be at least ${MIN_CHAOS_INTERVAL_MS}ms (a replacement thread takes about that long to boot), got ${s.everyMs}ms`, 2);
  }
  if (s.maxKills !== undefined && !(Number.isInteger(s.maxKills) && s.maxKills >= 1)) {
    throw new RunError(`--chaos kill-worker: max must be an integer >= 1, got ${s.maxKills}`, 2);
  }
}

export class ChaosScheduler {
  kills = 0;
  private lastKillAt = 0;
  /** Per spout task: its acked counter and its pending trees at the previous kill. */
  private readonly ackedAtKill = new Map<number, number>();
  private readonly pendingAtKill = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  private readonly spoutTasks: readonly number[];
  /** Threads that host no spout task: killing one never restarts a spout from scratch. */
  private readonly killable: readonly number[];

  constructor(private readonly settings: ChaosSettings, private readonly host: ChaosHost) {
    checkChaosSettings(settings);
    this.spoutTasks = spoutTasks(host.plan, host.assignment);
    const spoutful = spoutWorkers(host.plan, host.assignment);
    this.killable = Array.from({ length: host.assignment.workers }, (_, w) => w).filter((w) => !spoutful.has(w));
    if (this.killable.length === 0) {
      throw new RunError('--chaos kill-worker: every worker thread hosts a spout task, so there is no thread to kill; use more workers', 2);
    }
  }

  start(now = Date.now()): void {
    this.lastKillAt = now;
    this.snapshot();
    this.timer = setInterval(() => this.check(), Math.min(CHECK_MS, this.settings.everyMs));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Kill now if a kill is due and the rule allows it; true when it killed. */
  check(now = Date.now()): boolean {
    const max = this.settings.maxKills;
    if (max !== undefined && this.kills >= max) {
      this.stop();
      return false;
    }
    if (now - this.lastKillAt < this.settings.everyMs) return false;
    if (!this.host.allThreadsUp() || this.progressShort() !== null) return false;
    const ks = this.killable;
    const w = ks[Math.floor(Math.random() * ks.length)]!;
    this.kills++;
    this.host.event(`chaos: killing worker ${w} (kill ${this.kills}${max !== undefined ? ` of ${max}` : ''}): ${this.progressText()}`);
    this.lastKillAt = now;
    this.snapshot();
    this.host.kill(w);
    return true;
  }

  /** The first spout task that has not yet earned the next kill, or null. */
  progressShort(): number | null {
    const s = this.host.shared;
    for (const t of this.spoutTasks) {
      const pendingNow = Atomics.load(s.spoutPending, t);
      const need = Math.max(this.pendingAtKill.get(t) ?? 0, pendingNow > 0 ? 1 : 0);
      if (this.ackedSince(t) < need) return t;
    }
    return null;
  }

  /** Acked since the previous kill; a spout thread that restarted counts from 0 again. */
  private ackedSince(t: number): number {
    const now = Atomics.load(this.host.shared.spoutAcked, t);
    const base = this.ackedAtKill.get(t) ?? 0;
    // Wrap-safe difference of int32 counters.
    const d = (now - base) | 0;
    if (d >= 0) return d;
    this.ackedAtKill.set(t, 0);
    return now;
  }

  private progressText(): string {
    const s = this.host.shared;
    return this.spoutTasks.map((t) => `${this.host.assignment.taskComponent[t]}:${t} acked ${this.ackedSince(t)} since the previous kill, ` +
      `${this.pendingAtKill.get(t) ?? 0} pending then, ${Atomics.load(s.spoutPending, t)} now`).join('; ');
  }

  private snapshot(): void {
    const s = this.host.shared;
    for (const t of this.spoutTasks) {
      this.ackedAtKill.set(t, Atomics.load(s.spoutAcked, t));
      this.pendingAtKill.set(t, Atomics.load(s.spoutPending, t));
    }
  }
}
