/**
 * Custom groupings (Storm's CustomStreamGrouping): the user decides which target tasks get
 * each tuple of one edge. Given to `BoltDeclarer.customGrouping` as a class or factory, like a
 * component: every emitting task builds its own instance and prepares it once, so a grouping
 * may keep state (a round-robin cursor, a load table) without sharing it across threads.
 */
import type { ComponentSource } from './components.js';

/** What a custom grouping learns once, in `prepare`, about the edge it routes. */
export interface GroupingContext {
  /** The emitting component and task. */
  readonly sourceComponent: string;
  readonly sourceTask: number;
  /** The stream and its declared fields (so the grouping can find a field's index). */
  readonly stream: string;
  readonly sourceFields: readonly string[];
  /** The subscribing bolt. */
  readonly targetComponent: string;
  /** The worker thread of the emitting task, and of any task id. */
  readonly workerIndex: number;
  workerOfTask(taskId: number): number;
}

export interface CustomStreamGrouping {
  /** Called once per emitting task with the target bolt's task ids, ascending. */
  prepare?(context: GroupingContext, targetTasks: readonly number[]): void;
  /**
   * The target tasks for one tuple: a task id, or an array of them (empty: the tuple goes to
   * no task of this bolt). Every id must be one of `targetTasks`, or the emit fails naming
   * the grouping. Called per tuple: return a shared array rather than a new one when you can.
   */
  chooseTasks(sourceTask: number, values: readonly unknown[]): number | readonly number[];
}

export type CustomGroupingSource = ComponentSource<CustomStreamGrouping>;

/** The key a custom grouping is registered under in the plan: one per (bolt, source, stream) edge. */
export function customGroupingKey(bolt: string, component: string, stream: string): string {
  return `${bolt}\u0000${component}\u0000${stream}`;
}
