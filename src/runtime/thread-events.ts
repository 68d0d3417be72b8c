/**
 * The supervisor's side of what its threads report: ready, a start that failed, figures,
 * replies to finish/close rounds, component errors, and a thread's death (restarted with
 * backoff, the run failed when one keeps dying; a chaos kill is replaced at once), and the
 * chaos scheduler's kills.
 */
import type { Plan } from '../topology/plan.js';
import { ChaosScheduler, type ChaosSettings } from './chaos.js';
import type { Assignment, WorkerToMain } from './messages.js';
import type { SharedState } from './shared-state.js';
import type { WorkerPool } from './worker-pool.js';
import type { MetricsBook } from './summary.js';
import type { RestartPolicy } from './restart-policy.js';
import type { Replies } from './replies.js';
import type { ErrorLog } from './error-log.js';
import { RunError } from './physical-plan.js';
import { briefError } from './user-frame.js';

/** What the events need of the run they belong to. */
export interface RunControl {
  state(): 'starting' | 'running' | 'ending' | 'done';
  spoutsActive(): boolean;
  readonly workers: number;
  readyResolve(err?: RunError): void;
  fail(message: string): Promise<void>;
  after(ms: number, fn: () => void): void;
  onError?(e: { component: string; taskId: number; message: string }): void;
  onEvent?(text: string): void;
}

export class ThreadEvents {
  /** Threads that reported ready since they last (re)started. */
  readonly ready = new Set<number>();
  /** Set once the pool exists (it is built with this object's handlers). */
  pool!: WorkerPool;

  constructor(
    private readonly run: RunControl,
    private readonly book: MetricsBook,
    private readonly errors: ErrorLog,
    private readonly replies: Replies,
    private readonly restarts: RestartPolicy,
    private readonly shared: SharedState,
    private readonly assignment: Assignment,
    private readonly spoutTaskIds: number[],
  ) {}

  /** The chaos scheduler of this run: it kills only while every thread is up. */
  chaos(options: ChaosSettings, plan: Plan): ChaosScheduler {
    return new ChaosScheduler(options, {
      shared: this.shared, plan, assignment: this.assignment,
      allThreadsUp: () => this.run.state() === 'running' && this.ready.size === this.run.workers,
      kill: (w) => {
        this.restarts.markChaos(w);
        this.pool.kill(w);
      },
      event: (text) => this.run.onEvent?.(text),
    });
  }

  onMessage(m: WorkerToMain): void {
    const run = this.run;
    switch (m.type) {
      case 'ready':
        this.ready.add(m.workerIndex);
        if (run.state() === 'starting' && this.ready.size === run.workers) run.readyResolve();
        return;
      case 'startFailed': {
        // The error and where in the user's code; the whole stack for --verbose.
        const msg = `component '${m.component}' (task ${m.taskId}) failed to start: ${briefError(m.error)}`;
        if (run.state() === 'starting') run.readyResolve(new RunError(msg, 1, m.error));
        else void run.fail(msg);
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
        run.onError?.({ component: m.component, taskId: m.taskId, message: m.message });
        return;
      case 'fatal':
        this.errors.add(m.component, m.taskId, m.message, true);
        run.onError?.({ component: m.component, taskId: m.taskId, message: m.message });
        void run.fail(`component '${m.component}' (task ${m.taskId}) failed the run: ${m.message.split('\n')[0]}`);
        return;
    }
  }

  onDied(w: number, error: string | null): void {
    const run = this.run;
    this.book.retire(w);
    this.ready.delete(w);
    const s = this.shared;
    Atomics.store(s.busy, w, 0);
    Atomics.store(s.congestion, w, 0);
    for (const t of this.spoutTaskIds) if (this.assignment.taskWorker[t] === w) Atomics.store(s.spoutDone, t, 0);
    // A dead thread never answers a pending finish/close round: stop waiting for it, or
    // a thread dying while the run ends would hang the run forever.
    this.replies.died(w);
    if (run.state() === 'starting') {
      run.readyResolve(new RunError(`worker thread ${w} died while starting: ${error === null ? 'no error reported' : briefError(error)}`, 1, error ?? undefined));
      return;
    }
    if (run.state() !== 'running' && run.state() !== 'ending') return;
    const decision = this.restarts.onDeath(w, error);
    if (decision.chaos) {
      // Replace first, then tell the survivors: the rewire reaches them before workerLost, so
      // the trees they replay at once go to the replacement, not into the dead thread's channel
      // (lost there, they waited for the message timeout and held the next kill back).
      // The kill itself was announced by the scheduler, with the figures that allowed it.
      this.pool.restart(w, run.state() === 'running' && run.spoutsActive());
      this.pool.broadcast({ type: 'workerLost', worker: w, replaced: true }, w);
      return;
    }
    this.pool.broadcast({ type: 'workerLost', worker: w, replaced: false });
    if (decision.giveUp) {
      void run.fail(`worker thread ${w} keeps dying (${decision.recent} times in a minute); last error: ${error ?? 'none reported'}`);
      return;
    }
    run.onEvent?.(`worker ${w} died (${firstLine(error)}); restarting in ${decision.delayMs} ms`);
    run.after(decision.delayMs, () => {
      if (run.state() === 'running' || run.state() === 'ending') this.pool.restart(w, run.state() === 'running' && run.spoutsActive());
    });
  }
}

function firstLine(s: string | null): string {
  return s ? s.split('\n')[0]! : 'no error reported';
}
