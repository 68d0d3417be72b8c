/**
 * The router of a user's CustomStreamGrouping. The grouping's answer is checked on every
 * tuple, as the built-in routers never need to be: a task id that is not one of the edge's
 * targets would be delivered to a task that does not subscribe (or does not exist), so the
 * emit fails instead, naming the grouping, the task and the targets. The check is a typed
 * array lookup, not a Set, since it runs per tuple.
 */
import type { CustomStreamGrouping, GroupingContext } from '../api/grouping.js';
import type { Router } from './routers.js';

export class CustomRouter implements Router {
  private readonly isTarget: Uint8Array;

  constructor(
    private readonly grouping: CustomStreamGrouping,
    private readonly targets: readonly number[],
    private readonly ctx: GroupingContext,
  ) {
    this.isTarget = new Uint8Array(Math.max(0, ...targets) + 1);
    for (const t of targets) this.isTarget[t] = 1;
    grouping.prepare?.(ctx, targets);
  }

  select(values: readonly unknown[]): number | readonly number[] {
    const chosen = this.grouping.chooseTasks(this.ctx.sourceTask, values);
    if (typeof chosen === 'number') {
      if (this.isTarget[chosen] !== 1) this.reject(chosen);
      return chosen;
    }
    if (!Array.isArray(chosen)) this.reject(chosen);
    for (let i = 0; i < chosen.length; i++) if (this.isTarget[chosen[i]!] !== 1) this.reject(chosen[i]);
    return chosen;
  }

  private reject(task: unknown): never {
    const c = this.ctx;
    const what = typeof task === 'number' ? `task ${task}, which is not one of its target tasks` : `${JSON.stringify(task) ?? String(task)}, not a task id or an array of them`;
    throw new Error(
      `custom grouping of bolt '${c.targetComponent}' on '${c.sourceComponent}' stream '${c.stream}' chose ${what} (targets: ${this.targets.join(', ')})`,
    );
  }
}
