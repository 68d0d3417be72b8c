import type { TaskHook } from './hooks.js';
import type { Clock } from './clock.js';

/** What a task knows about itself and the topology when it starts. */
export interface TopologyContext {
  readonly topologyName: string;
  readonly componentId: string;
  /** Global task id, unique in the topology (1-based, as Storm). */
  readonly taskId: number;
  /** Index of this task among its component's tasks (0-based). */
  readonly taskIndex: number;
  /** Index of the worker thread hosting the task (0-based). */
  readonly workerIndex: number;
  /** Task ids of a component, ascending. */
  getComponentTasks(componentId: string): readonly number[];
  /** Declared fields of a component's stream. */
  getComponentOutputFields(componentId: string, streamId?: string): readonly string[];
  /** Component id of a task. */
  getComponentId(taskId: number): string;
  /** The user components and streams this component subscribes to (Storm's getThisSources). */
  getThisSources(): ReadonlyArray<{ readonly component: string; readonly stream: string }>;
  /** Registers a task hook (Storm's addTaskHook): it sees this task's emits, acks, fails and executes. */
  addTaskHook(hook: TaskHook): void;
  /** The resource `name` of this worker thread (builder.addSharedResource), created on the thread's first request. */
  getSharedResource<T = unknown>(name: string): T;
  /**
   * The run's clock (Storm's `Time`): what its timeouts, ticks and processing-time windows
   * read. Real time unless a test runs the topology under `SimulatedTime`.
   */
  readonly clock: Clock;
}
