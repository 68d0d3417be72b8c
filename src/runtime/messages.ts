/**
 * Every message the supervisor (main thread) and a worker exchange, in one file both sides
 * import. Tuples never travel this way: they go over peer channels in encoded batches.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Plan } from '../topology/plan.js';
import type { RuntimeConfig } from './config.js';
import type { WorkerMetrics } from './metrics.js';

/** Which worker hosts which tasks; computed once by the scheduler. */
export interface Assignment {
  readonly workers: number;
  /** taskWorker[taskId] = worker index (index 0 unused: task ids start at 1). */
  readonly taskWorker: readonly number[];
  /** taskComponent[taskId] = component id. */
  readonly taskComponent: readonly string[];
  /** Task ids per component, ascending. */
  readonly componentTasks: Readonly<Record<string, readonly number[]>>;
  /** Acker task for each spout task id (the acker on the spout's own thread when there is one). */
  readonly ackerForSpoutTask: readonly number[];
}

export interface WorkerInit {
  readonly workerIndex: number;
  readonly plan: Plan;
  readonly assignment: Assignment;
  readonly config: RuntimeConfig;
  readonly sharedState: SharedArrayBuffer;
  /** One port per peer worker (undefined for itself). */
  readonly peers: ReadonlyArray<MessagePort | undefined>;
  /** True when this worker replaces one that died: activate as soon as its tasks are ready. */
  readonly restart: boolean;
}

export type MainToWorker =
  | { readonly type: 'activate' }
  | { readonly type: 'deactivate' }
  | { readonly type: 'finish'; readonly component: string }
  | { readonly type: 'close' }
  | { readonly type: 'metrics' }
  | { readonly type: 'rewire'; readonly peer: number; readonly port: MessagePort }
  /**
   * A thread died: ackers here fail at once the trees that touched it. Unless its replacement
   * is already wired (`replaced`), frames for it are held until the rewire arrives.
   */
  | { readonly type: 'workerLost'; readonly worker: number; readonly replaced: boolean };

export type WorkerToMain =
  | { readonly type: 'ready'; readonly workerIndex: number }
  | { readonly type: 'startFailed'; readonly workerIndex: number; readonly component: string; readonly taskId: number; readonly error: string }
  | { readonly type: 'metrics'; readonly workerIndex: number; readonly metrics: WorkerMetrics }
  | { readonly type: 'finished'; readonly workerIndex: number; readonly component: string }
  | { readonly type: 'closed'; readonly workerIndex: number; readonly metrics: WorkerMetrics }
  | { readonly type: 'error'; readonly workerIndex: number; readonly component: string; readonly taskId: number; readonly message: string }
  /** OutputCollector.failRun: the run ends as failed with this message. */
  | { readonly type: 'fatal'; readonly workerIndex: number; readonly component: string; readonly taskId: number; readonly message: string };

/** The worker-side view of its link to the supervisor (a parentPort, or a direct call in-thread). */
export interface SupervisorLink {
  post(msg: WorkerToMain): void;
}
