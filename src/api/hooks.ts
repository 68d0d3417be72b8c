/**
 * Task hooks (Storm's ITaskHook): code that watches a task's emits, acks, fails and executes
 * without being part of the component: metrics, tracing, auditing. Register one from a
 * component's open/prepare (`context.addTaskHook(hook)`) or for every user task of a topology
 * (`builder.addTaskHook(factory)`, Storm's topology.auto.task.hooks). Every method is
 * optional; a hook that throws has its error reported for the task and the task goes on.
 * A task without hooks pays one boolean check per event.
 */
import type { Config, MessageId } from './components.js';
import type { TopologyContext } from './context.js';
import type { Tuple } from './tuple.js';

export interface EmitInfo {
  readonly values: readonly unknown[];
  readonly stream: string;
  /** The emitting task. */
  readonly taskId: number;
  /** The tasks the tuple was sent to (empty when no task subscribes). */
  readonly outTasks: readonly number[];
}

export interface SpoutAckInfo {
  readonly messageId: MessageId;
  readonly spoutTaskId: number;
  /** Emit to ack of the tree, in milliseconds. */
  readonly completeLatencyMs: number;
}

export interface SpoutFailInfo {
  readonly messageId: MessageId;
  readonly spoutTaskId: number;
}

export interface BoltExecuteInfo {
  readonly tuple: Tuple;
  readonly executingTaskId: number;
  /** How long `execute` ran (to its return, not to an async result), in milliseconds. */
  readonly executeLatencyMs: number;
}

export interface BoltAckInfo {
  readonly tuple: Tuple;
  readonly ackingTaskId: number;
}

export interface BoltFailInfo {
  readonly tuple: Tuple;
  readonly failingTaskId: number;
}

export interface TaskHook {
  /** Called when the hook is registered: before the task's open/prepare for builder hooks, at once for context.addTaskHook. */
  prepare?(config: Config, context: TopologyContext): void;
  cleanup?(): void;
  emit?(info: EmitInfo): void;
  spoutAck?(info: SpoutAckInfo): void;
  spoutFail?(info: SpoutFailInfo): void;
  boltExecute?(info: BoltExecuteInfo): void;
  boltAck?(info: BoltAckInfo): void;
  boltFail?(info: BoltFailInfo): void;
}

/** A task hook for every user task of a topology: a factory, called once per task. */
export type TaskHookFactory = () => TaskHook;
