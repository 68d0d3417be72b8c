/**
 * Where a tuple is routed: for each output stream of a task, the routers of every
 * subscribed component, built once at task start. Collectors call `route` then `each`;
 * neither allocates per tuple.
 */
import type { Plan } from '../../topology/plan.js';
import type { CustomStreamGrouping } from '../../api/grouping.js';
import type { LoadOf } from '../../grouping/shuffle.js';
import type { Assignment } from '../messages.js';
import { createRouter, type Router } from '../../grouping/routers.js';
import type { StreamInfo, StreamTable } from './streams.js';
import { whyNotCarriable } from './carriable.js';

export interface Route {
  readonly info: StreamInfo;
  readonly routers: readonly Router[];
  /** Tasks allowed as emitDirect targets on this stream (subscribers with direct grouping). */
  readonly directTargets: ReadonlySet<number>;
}

export class TaskEmitter {
  private readonly routes = new Map<string, Route>();
  /** The default stream's route, looked up once (most emits use it). */
  readonly defaultRoute: Route | undefined;

  constructor(
    readonly taskId: number,
    readonly componentId: string,
    plan: Plan,
    streams: StreamTable,
    assignment: Assignment,
    workerIndex: number,
    random: () => number,
    createGrouping: (key: string) => CustomStreamGrouping,
    load: LoadOf | undefined,
    spillLoad: LoadOf | undefined,
  ) {
    const me = plan.components.find((c) => c.id === componentId)!;
    for (const s of Object.values(me.streams)) {
      const info = streams.get(componentId, s.id)!;
      const routers: Router[] = [];
      const direct = new Set<number>();
      for (const target of plan.components) {
        for (const input of target.inputs) {
          if (input.component !== componentId || input.stream !== s.id) continue;
          const tasks = assignment.componentTasks[target.id]!;
          if (input.grouping.type === 'direct') {
            for (const t of tasks) direct.add(t);
            continue;
          }
          routers.push(createRouter(input.grouping, tasks, {
            sourceFields: s.fields,
            taskWorker: assignment.taskWorker,
            workerIndex,
            ackerForSpoutTask: assignment.ackerForSpoutTask,
            random,
            ...(load !== undefined ? { load } : {}),
            ...(spillLoad !== undefined ? { spillLoad } : {}),
            edge: { sourceComponent: componentId, sourceTask: taskId, stream: s.id, targetComponent: target.id, createGrouping },
          }));
        }
      }
      this.routes.set(s.id, { info, routers, directTargets: direct });
    }
    this.defaultRoute = this.routes.get('default');
  }

  route(stream: string): Route {
    const r = stream === 'default' ? this.defaultRoute : this.routes.get(stream);
    if (r) return r;
    const declared = [...this.routes.keys()].filter((k) => !k.startsWith('__'));
    throw new Error(`component '${this.componentId}' emitted on undeclared stream '${stream}' (declared: ${declared.join(', ') || 'none'})`);
  }

  /** Validate an emit: value count matches the declared fields and every value is carriable. */
  check(route: Route, values: unknown[], direct: boolean): void {
    const info = route.info;
    if (!Array.isArray(values)) {
      throw new Error(`component '${this.componentId}' emitted on stream '${info.stream}' a ${typeof values}, not an array of values`);
    }
    if (values.length !== info.fields.length) {
      throw new Error(
        `component '${this.componentId}' emitted ${values.length} value(s) on stream '${info.stream}', ` +
          `which declares ${info.fields.length} field(s) (${info.fields.join(', ')})`,
      );
    }
    if (info.direct !== direct) {
      throw new Error(
        info.direct
          ? `component '${this.componentId}': stream '${info.stream}' is direct; use emitDirect`
          : `component '${this.componentId}': emitDirect on stream '${info.stream}', which is not declared direct`,
      );
    }
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v === 'string' || typeof v === 'number') continue;
      const why = whyNotCarriable(v);
      if (why) {
        throw new Error(`component '${this.componentId}', stream '${info.stream}', field '${info.fields[i]}': ${why}`);
      }
    }
  }

  checkDirectTarget(route: Route, task: number): void {
    if (!route.directTargets.has(task)) {
      throw new Error(
        `component '${this.componentId}': emitDirect to task ${task} on stream '${route.info.stream}', ` +
          `but that task does not subscribe to the stream with directGrouping ` +
          `(direct subscribers: ${[...route.directTargets].join(', ') || 'none'})`,
      );
    }
  }
}
