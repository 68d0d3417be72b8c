/**
 * The main thread's side of a run: starts the threads, activates spouts, watches for
 * completion (every spout exhausted and nothing pending), drains on stop, calls `finish`
 * level by level, and keeps the figures. What the threads report, their deaths and restarts
 * and the chaos scheduler's kills are thread-events.ts's.
 */
import type { Topology } from '../topology/topology.js';
import { topologicalLevels } from '../topology/system.js';
import type { Plan } from '../topology/plan.js';
import type { RuntimeConfig } from './config.js';
import type { Assignment } from './messages.js';
import { ThreadEvents } from './thread-events.js';
import { spoutTasks } from './scheduler.js';
import { physicalPlan, RunError } from './physical-plan.js';
import { SharedState } from './shared-state.js';
import { WorkerPool } from './worker-pool.js';
import { MetricsBook, buildSummary, neverCompleted, type RunStatus, type RunSummary } from './summary.js';
import { waitDrained, waitIdle } from './idle.js';
import { RestartPolicy } from './restart-policy.js';
import { Replies } from './replies.js';
import { loadHdr } from './metrics.js';
import type { ChaosScheduler } from './chaos.js';
import { ErrorLog } from './error-log.js';
import type { RunOptions } from './run-options.js';

export type { RunOptions } from './run-options.js';
export { RunError } from './physical-plan.js';

const METRICS_POLL_MS = 1000;
const COMPLETION_POLL_MS = 20;

export class Supervisor {
  readonly config: RuntimeConfig;
  readonly plan: Plan;
  readonly assignment: Assignment;
  readonly shared: SharedState;
  readonly book = new MetricsBook();
  /** The errors components reported, with their full text (the dashboard's error history). */
  readonly errors = new ErrorLog();
  private readonly pool: WorkerPool;
  private readonly spoutTaskIds: number[];
  private readonly restarts: RestartPolicy;
  private readonly replies = new Replies();
  private readonly timers: NodeJS.Timeout[] = [];
  private state: 'starting' | 'running' | 'ending' | 'done' = 'starting';
  private startedAt = 0;
  private readonly events: ThreadEvents;
  private readonly chaos: ChaosScheduler | null = null;
  private readyResolve!: (err?: RunError) => void;
  private doneResolve!: (s: RunSummary) => void;
  private failure: string | null = null;
  /** Spouts are activated (Storm's topology status ACTIVE); `deactivate()` pauses them. */
  private spoutsActive: boolean;
  readonly completion: Promise<RunSummary>;

  constructor(
    topology: Topology,
    private readonly source: { bundlePath: string; file?: string } | { inThread: Topology },
    private readonly opts: RunOptions,
  ) {
    const physical = physicalPlan(topology, {
      file: 'file' in source ? source.file : undefined, config: opts.config, overrides: opts.overrides, inThread: opts.inThread,
    });
    const config = physical.config;
    this.config = config;
    this.plan = physical.plan;
    this.assignment = physical.assignment;
    this.shared = new SharedState(config.workers, this.assignment.taskWorker.length - 1);
    this.spoutTaskIds = spoutTasks(this.plan, this.assignment);
    this.restarts = new RestartPolicy();
    this.events = new ThreadEvents({
      state: () => this.state,
      spoutsActive: () => this.spoutsActive,
      workers: config.workers,
      readyResolve: (err) => this.readyResolve(err),
      fail: (message) => this.fail(message),
      after: (ms, fn) => this.after(ms, fn),
      onError: (e) => this.opts.onError?.(e),
      onEvent: (text) => this.opts.onEvent?.(text),
    }, this.book, this.errors, this.replies, this.restarts, this.shared, this.assignment, this.spoutTaskIds);
    this.pool = new WorkerPool('inThread' in source ? { ...source, clock: opts.clock } : source, this.plan, this.assignment, config, this.shared, {
      message: (m) => this.events.onMessage(m),
      died: (w, err) => this.events.onDied(w, err),
    });
    this.events.pool = this.pool;
    this.completion = new Promise((r) => (this.doneResolve = r));
    this.spoutsActive = opts.startInactive !== true;
    if (opts.chaosKillEveryMs !== undefined) this.chaos = this.events.chaos({ everyMs: opts.chaosKillEveryMs, maxKills: opts.chaosMaxKills }, this.plan);
  }

  /** Start every thread, wait until all tasks are prepared, then activate the spouts. */
  async start(): Promise<void> {
    await loadHdr();
    const ready = new Promise<RunError | undefined>((r) => (this.readyResolve = r));
    this.pool.start();
    const err = await ready;
    if (err) {
      await this.pool.terminateAll();
      throw err;
    }
    this.state = 'running';
    this.startedAt = Date.now();
    if (this.spoutsActive) this.pool.broadcast({ type: 'activate' });
    else this.opts.onEvent?.('started inactive: no spout emits until the topology is activated');
    this.every(METRICS_POLL_MS, () => this.pool.broadcast({ type: 'metrics' }));
    this.every(COMPLETION_POLL_MS, () => this.checkCompletion());
    if (this.opts.durationMs !== undefined) this.after(this.opts.durationMs, () => void this.stop());
    this.chaos?.start();
  }

  private checkCompletion(): void {
    if (this.state !== 'running') return;
    const s = this.shared;
    for (const t of this.spoutTaskIds) if (Atomics.load(s.spoutDone, t) !== 1) return;
    void this.end('completed');
  }

  /** Whether the spouts are active (false after `deactivate()` or an inactive start). */
  get active(): boolean {
    return this.spoutsActive && this.state === 'running';
  }

  /** Running with the spouts deactivated. */
  get paused(): boolean {
    return !this.spoutsActive && this.state === 'running';
  }

  /**
   * Storm's activate/deactivate of a running topology: a deactivated spout's nextTuple is not
   * called (its `deactivate()` hook runs); trees in flight still complete, bolts keep running,
   * ticks keep coming. Returns false when the run is not running (starting, ending or done).
   */
  activate(): boolean {
    return this.setActive(true);
  }

  deactivate(): boolean {
    return this.setActive(false);
  }

  private setActive(on: boolean): boolean {
    if (this.state !== 'running') return false;
    if (this.spoutsActive !== on) {
      this.spoutsActive = on;
      this.pool.broadcast({ type: on ? 'activate' : 'deactivate' });
      this.opts.onEvent?.(on ? 'spouts activated' : 'spouts deactivated: trees in flight still complete');
    }
    return true;
  }

  /** Stop the spouts and drain: wait for pending trees (up to the message timeout). */
  stop(): Promise<RunSummary> {
    if (this.state === 'running') void this.end('stopped');
    return this.completion;
  }

  private async end(status: RunStatus): Promise<void> {
    if (this.state !== 'running') return;
    this.state = 'ending';
    this.chaos?.stop();
    this.pool.broadcast({ type: 'deactivate' });
    const alive = (w: number): boolean => this.pool.isAlive(w);
    if (status === 'stopped') {
      const drained = await waitDrained(this.shared, this.config, alive, this.opts.clock?.attach !== undefined);
      if (!drained) status = 'incomplete';
    } else if (this.config.ackers === 0) {
      await waitIdle(this.shared, alive, this.config.messageTimeoutMs);
    }
    if (this.failure) return;
    if (status !== 'incomplete') {
      for (const level of topologicalLevels(this.plan)) {
        for (const component of level) {
          if (this.plan.components.find((c) => c.id === component)?.kind !== 'bolt') continue;
          await this.replies.gather(`finish:${component}`, this.live(), () => this.pool.broadcast({ type: 'finish', component }));
          await waitIdle(this.shared, alive, this.config.messageTimeoutMs);
        }
      }
    }
    await this.finishRun(status);
  }

  private async fail(message: string): Promise<void> {
    if (this.state === 'done' || this.failure) return;
    this.failure = message;
    this.state = 'ending';
    await this.finishRun('failed');
  }

  private async finishRun(status: RunStatus): Promise<void> {
    if (this.state === 'done') return;
    if (status !== 'failed') {
      // Close politely so spouts close and bolts clean up, with a bound in case a task hangs.
      await this.replies.gatherWithin('closed', this.live(), () => this.pool.broadcast({ type: 'close' }), 10000);
    }
    this.state = 'done';
    this.chaos?.stop();
    for (const t of this.timers) clearInterval(t);
    const pending = this.shared.totalPending();
    await this.pool.terminateAll();
    // The threads' last figures (sent with 'closed') say whether every tree completed.
    const summary = this.summary(status, pending);
    if (status === 'completed' && neverCompleted(summary) > 0) summary.status = 'completed-with-failures';
    this.doneResolve(summary);
  }

  /** The threads alive now (the ones a round of replies waits for). */
  private live(): number[] {
    const live: number[] = [];
    for (let w = 0; w < this.config.workers; w++) if (this.pool.isAlive(w)) live.push(w);
    return live;
  }

  summary(status: RunStatus | 'running' = 'running', pending = this.shared.totalPending()): RunSummary {
    return buildSummary(this.book, {
      topology: this.plan.name,
      workers: this.config.workers,
      elapsedMs: this.startedAt === 0 ? 0 : Date.now() - this.startedAt,
      status: status as RunStatus,
      pending,
      restarts: this.restarts.total,
      chaosKills: this.restarts.chaosTotal,
      error: this.failure,
    }, this.config.ackers > 0);
  }

  /** Resolves once no thread has work (see idle.ts); false on timeout. */
  waitIdle(timeoutMs = 10000): Promise<boolean> {
    return waitIdle(this.shared, (w) => this.pool.isAlive(w), timeoutMs);
  }

  /** Ask every thread for fresh figures and wait for them (a thread busy in a long execute may take a while; at most 2 s). */
  async refreshMetrics(): Promise<void> {
    if (this.state === 'done' || this.replies.has('metrics')) return;
    await this.replies.gatherWithin('metrics', this.live(), () => this.pool.broadcast({ type: 'metrics' }), 2000);
    this.replies.drop('metrics');
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    this.timers.push(t);
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(fn, ms);
    this.timers.push(t);
  }
}
