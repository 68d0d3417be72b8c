/**
 * A worker's tasks as a set: built and started together (open / prepare, in task order),
 * finished per component (the supervisor's drain goes level by level), closed together, and
 * read for metrics. Failures of one task are reported against it and never stop the others.
 * The loop (host.ts) reads `byId` and `spouts` directly: they are plain arrays on the hot path.
 */
import { SharedResources } from './shared-resources.js';
import type { Topology } from '../../topology/topology.js';
import { type Plan } from '../../topology/plan.js';
import { ACKER_ID } from '../../topology/acker-protocol.js';
import type { Assignment } from '../messages.js';
import type { TaskCounters } from '../metrics.js';
import { encodeHistogram } from '../metrics.js';
import type { Executor, ExecutorHost } from './executor.js';
import { SpoutExecutor } from './spout-executor.js';
import type { StreamTable } from './streams.js';
import { buildExecutors } from './tasks.js';

export interface StartFailure {
  readonly component: string;
  readonly taskId: number;
  readonly error: unknown;
}

export class TaskSet {
  /** Executors by task id (undefined for tasks of other threads). */
  readonly byId: Array<Executor | undefined> = [];
  readonly spouts: SpoutExecutor[] = [];

  /** This thread's shared resources (builder.addSharedResource), closed after every task. */
  private resources: SharedResources | null = null;

  constructor(private readonly host: ExecutorHost) {}

  /** Build and start every task of this thread; the first that fails is returned (and the rest not started). */
  async start(topology: Topology, plan: Plan, assignment: Assignment, streams: StreamTable): Promise<StartFailure | null> {
    this.resources = new SharedResources(topology.sharedResources);
    const built = buildExecutors(this.host, topology, plan, assignment, streams, this.resources);
    if (built.failed) return built.failed;
    for (const ex of built.executors) {
      try {
        await ex.start();
      } catch (error) {
        return { component: ex.componentId, taskId: ex.taskId, error };
      }
      this.byId[ex.taskId] = ex;
      if (ex instanceof SpoutExecutor) this.spouts.push(ex);
    }
    return null;
  }

  /** The acker tasks of this thread. */
  ackers(): Executor[] {
    return this.byId.filter((ex): ex is Executor => ex !== undefined && ex.componentId === ACKER_ID);
  }

  /** Run `finish` on every task of `component` here (a bolt's last emits before the drain goes on). */
  async finish(component: string): Promise<void> {
    for (const ex of this.byId) {
      if (ex === undefined || ex.componentId !== component) continue;
      try {
        await ex.finish();
      } catch (err) {
        this.host.reportError(ex.counters, err);
      }
    }
  }

  /** close / cleanup every task; one that throws is reported and the others still close. */
  async closeAll(): Promise<void> {
    for (const ex of this.byId) {
      if (ex === undefined) continue;
      try {
        await ex.close();
      } catch (err) {
        this.host.reportError(ex.counters, err);
      }
    }
    // Errors closing a resource are no one task's: the first task's counters carry them.
    const first = this.byId.find((ex) => ex !== undefined);
    await this.resources?.closeAll((err) => first && this.host.reportError(first.counters, err));
  }

  /** A copy of every task's counters (the supervisor keeps them past this thread's life). */
  counters(): TaskCounters[] {
    const out: TaskCounters[] = [];
    for (const ex of this.byId) if (ex !== undefined) out.push({ ...ex.counters });
    return out;
  }

  /** Each spout component's complete-latency histograms, encoded to cross to the supervisor. */
  completeLatency(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const sp of this.spouts) {
      if (sp.latency.totalCount === 0) continue;
      (out[sp.componentId] ??= []).push(encodeHistogram(sp.latency));
    }
    return out;
  }
}
