/**
 * The main thread's side of a run: starts the threads, activates spouts, watches for
 * completion (every spout exhausted and nothing pending), drains on stop, calls `finish`
 * level by level, restarts threads that die (with backoff, failing the run when one keeps
 * dying), hosts the chaos scheduler (chaos.ts), and keeps the figures.
 */
import type { Clock } from '../api/clock.js';
import type { Topology } from '../topology/topology.js';
import { topologicalLevels } from '../topology/system.js';
import type { Plan } from '../topology/plan.js';
import type { RuntimeConfig } from './config.js';
import type { Assignment, WorkerToMain } from './messages.js';
import { spoutTasks } from './scheduler.js';
import { physicalPlan, RunError } from './physical-plan.js';
import { SharedState } from './shared-state.js';
import { WorkerPool } from './worker-pool.js';
import { MetricsBook, buildSummary, neverCompleted, type RunStatus, type RunSummary } from './summary.js';
import { waitIdle } from './idle.js';
import { RestartPolicy } from './restart-policy.js';
import { Replies } from './replies.js';
import { loadHdr } from './metrics.js';
import { ChaosScheduler } from './chaos.js';
import { ErrorLog } from './error-log.js';
import { briefError } from './user-frame.js';

export interface RunOptions {
  /** `-c key=value` pairs (over the topology file's config). */
  config?: Record<string, unknown>;
  /** Dedicated flags such as `--workers` (over everything). */
  overrides?: Record<string, unknown>;
  durationMs?: number;
  chaosKillEveryMs?: number;
  /** Stop chaos after this many kills. */
  chaosMaxKills?: number;
  /** Run the tasks on the calling thread (no worker threads); `workers` is then 1. */
  inThread?: boolean;
  /** Start with the spouts deactivated (Storm's inactive submit): nothing is emitted until `activate()`. */
  startInactive?: boolean;
  /**
   * The run's clock: timeouts, ticks and processing-time windows read it. Only for a
   * Topology object run in the calling thread; `SimulatedTime` (topo-streams/testing) is
   * the one to give. Default: real time.
   */
  clock?: Clock;
  onError?(e: { component: string; taskId: number; message: string }): void;
  onEvent?(text: string): void;
}

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
  /** Threads that reported ready since they last (re)started. */
  private ready = new Set<number>();
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
    this.pool = new WorkerPool('inThread' in source ? { ...source, clock: opts.clock } : source, this.plan, this.assignment, config, this.shared, {
      message: (m) => this.onMessage(m),
      died: (w, err) => this.onDied(w, err),
    });
    this.completion = new Promise((r) => (this.doneResolve = r));
    this.spoutsActive = opts.startInactive !== true;
    if (opts.chaosKillEveryMs !== undefined) {
      this.chaos = new ChaosScheduler({ everyMs: opts.chaosKillEveryMs, maxKills: opts.chaosMaxKills }, {
        shared: this.shared, plan: this.plan, assignment: this.assignment,
        allThreadsUp: () => this.state === 'running' && this.ready.size === config.workers,
        kill: (w) => {
          this.restarts.markChaos(w);
          this.pool.kill(w);
        },
        event: (text) => this.opts.onEvent?.(text),
      });
    }
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

  private onMessage(m: WorkerToMain): void {
    switch (m.type) {
      case 'ready':
        this.ready.add(m.workerIndex);
        if (this.state === 'starting' && this.ready.size === this.config.workers) this.readyResolve();
        return;
      case 'startFailed': {
        // The error and where in the user's code; the whole stack for --verbose.
        const msg = `component '${m.component}' (task ${m.taskId}) failed to start: ${briefError(m.error)}`;
        if (this.state === 'starting') this.readyResolve(new RunError(msg, 1, m.error));
        else void this.fail(msg);
        return;
      }
      case 'metrics':
        this.book.update(m.metrics);
        this.replies.arrive('metrics', m.workerIndex);
        return;
      case 'closed':
        this.book.update(m.metrics);
        this.replies.arrive('closed', m.workerIndex);
        return;
      case 'finished':
        this.replies.arrive(`finish:${m.component}`, m.workerIndex);
        return;
      case 'error':
        this.errors.add(m.component, m.taskId, m.message);
        this.opts.onError?.({ component: m.component, taskId: m.taskId, message: m.message });
        return;
      case 'fatal':
        this.errors.add(m.component, m.taskId, m.message, true);
        this.opts.onError?.({ component: m.component, taskId: m.taskId, message: m.message });
        void this.fail(`component '${m.component}' (task ${m.taskId}) failed the run: ${m.message.split('\n')[0]}`);
        return;
    }
  }

  private onDied(w: number, error: string | null): void {
    this.book.retire(w);
    this.ready.delete(w);
    const s = this.shared;
    Atomics.store(s.busy, w, 0);
    Atomics.store(s.congestion, w, 0);
    for (const t of this.spoutTaskIds) if (this.assignment.taskWorker[t] === w) Atomics.store(s.spoutDone, t, 0);
    // A dead thread never answers a pending finish/close round: stop waiting for it, or
    // a thread dying while the run ends would hang the run forever.
    this.replies.died(w);
    if (this.state === 'starting') {
      this.readyResolve(new RunError(`worker thread ${w} died while starting: ${error === null ? 'no error reported' : briefError(error)}`, 1, error ?? undefined));
      return;
    }
    if (this.state !== 'running' && this.state !== 'ending') return;
    const decision = this.restarts.onDeath(w, error);
    if (decision.chaos) {
      // Replace first, then tell the survivors: the rewire reaches them before workerLost, so
      // the trees they replay at once go to the replacement, not into the dead thread's channel
      // (lost there, they waited for the message timeout and held the next kill back).
      // The kill itself was announced by the scheduler, with the figures that allowed it.
      this.pool.restart(w, this.state === 'running' && this.spoutsActive);
      this.pool.broadcast({ type: 'workerLost', worker: w, replaced: true }, w);
      return;
    }
    this.pool.broadcast({ type: 'workerLost', worker: w, replaced: false });
    if (decision.giveUp) {
      void this.fail(`worker thread ${w} keeps dying (${decision.recent} times in a minute); last error: ${error ?? 'none reported'}`);
      return;
    }
    this.opts.onEvent?.(`worker ${w} died (${firstLine(error)}); restarting in ${decision.delayMs} ms`);
    this.after(decision.delayMs, () => {
      if (this.state === 'running' || this.state === 'ending') this.pool.restart(w, this.state === 'running' && this.spoutsActive);
    });
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
      const drained = await this.drain();
      if (!drained) status = 'incomplete';
    } else if (this.config.ackers === 0) {
      await waitIdle(this.shared, alive, this.config.messageTimeoutMs);
    }
    if (this.failure) return;
    if (status !== 'incomplete') {
      for (const level of topologicalLevels(this.plan)) {
        for (const component of level) {
          if (this.plan.components.find((c) => c.id === component)?.kind !== 'bolt') continue;
          await this.gather(`finish:${component}`, () => this.pool.broadcast({ type: 'finish', component }));
          await waitIdle(this.shared, alive, this.config.messageTimeoutMs);
        }
      }
    }
    await this.finishRun(status);
  }

  private async drain(): Promise<boolean> {
    const deadline = Date.now() + this.config.messageTimeoutMs + 1000;
    const alive = (w: number): boolean => this.pool.isAlive(w);
    if (this.config.ackers === 0) return waitIdle(this.shared, alive, this.config.messageTimeoutMs);
    if (this.opts.clock?.attach !== undefined) {
      // Under simulated time a tree still pending once the run is idle waits for time that
      // only the test moves: it cannot drain by itself.
      await waitIdle(this.shared, alive, 2000);
      return this.shared.totalPending() === 0;
    }
    while (Date.now() < deadline) {
      if (this.shared.totalPending() === 0) return true;
      await new Promise((r) => setTimeout(r, COMPLETION_POLL_MS));
    }
    return this.shared.totalPending() === 0;
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
      let bound: NodeJS.Timeout | undefined;
      await Promise.race([
        this.gather('closed', () => this.pool.broadcast({ type: 'close' })),
        new Promise((r) => (bound = setTimeout(r, 10000))),
      ]);
      clearTimeout(bound);
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

  /** Post to every live thread and wait until each has answered with `key`. */
  private gather(key: string, send: () => void): Promise<void> {
    const live: number[] = [];
    for (let w = 0; w < this.config.workers; w++) if (this.pool.isAlive(w)) live.push(w);
    return this.replies.gather(key, live, send);
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
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([
      this.gather('metrics', () => this.pool.broadcast({ type: 'metrics' })),
      new Promise((r) => (bound = setTimeout(r, 2000))),
    ]);
    clearTimeout(bound);
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

function firstLine(s: string | null): string {
  return s ? s.split('\n')[0]! : 'no error reported';
}
