/**
 * One task's hooks (src/api/hooks.ts), and the runtime's side of calling them. Executors test
 * `on` before every call, so a task without hooks pays one field read per event; an emit's
 * target tasks are gathered only while `on`. A hook that throws is reported for the task
 * (reportError) and the event goes on: a watcher must not fail the tuple it watches.
 */
import type { Config, MessageId } from '../../api/components.js';
import type { TopologyContext } from '../../api/context.js';
import type { TaskHook } from '../../api/hooks.js';
import type { Tuple } from '../../api/tuple.js';

type Event = Exclude<keyof TaskHook, 'prepare' | 'cleanup'>;

export class TaskHooks {
  /** True once a hook is registered. */
  on = false;
  private readonly list: TaskHook[] = [];
  private outTasks: number[] = [];

  constructor(
    private readonly taskId: number,
    private readonly report: (err: unknown) => void,
  ) {}

  /** Registers a hook (prepared at once with the task's config and context). */
  add(hook: TaskHook, config: Config, context: TopologyContext): void {
    if (typeof hook !== 'object' || hook === null) throw new TypeError(`addTaskHook expects a hook object, got ${hook === null ? 'null' : typeof hook}`);
    this.list.push(hook);
    this.on = true;
    this.guard(() => hook.prepare?.(config, context));
  }

  /** A target task of the emit in progress. */
  sentTo(task: number): void {
    this.outTasks.push(task);
  }

  /** The emit in progress is done: its info goes to every hook. */
  emitted(stream: string, values: readonly unknown[]): void {
    const outTasks = this.outTasks;
    this.outTasks = [];
    this.call('emit', { values, stream, taskId: this.taskId, outTasks });
  }

  spoutAck(messageId: MessageId, completeLatencyMs: number): void {
    this.call('spoutAck', { messageId, spoutTaskId: this.taskId, completeLatencyMs });
  }

  spoutFail(messageId: MessageId): void {
    this.call('spoutFail', { messageId, spoutTaskId: this.taskId });
  }

  boltExecute(tuple: Tuple, executeLatencyMs: number): void {
    this.call('boltExecute', { tuple, executingTaskId: this.taskId, executeLatencyMs });
  }

  boltAck(tuple: Tuple): void {
    this.call('boltAck', { tuple, ackingTaskId: this.taskId });
  }

  boltFail(tuple: Tuple): void {
    this.call('boltFail', { tuple, failingTaskId: this.taskId });
  }

  cleanup(): void {
    for (const h of this.list) this.guard(() => h.cleanup?.());
  }

  private call<E extends Event>(event: E, info: Parameters<NonNullable<TaskHook[E]>>[0]): void {
    for (const h of this.list) {
      const f = h[event] as ((i: typeof info) => void) | undefined;
      if (f !== undefined) this.guard(() => f.call(h, info));
    }
  }

  private guard(f: () => void): void {
    try {
      f();
    } catch (err) {
      this.report(err);
    }
  }
}
