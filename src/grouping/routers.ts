/**
 * A grouping turns one logical edge (source stream -> target component) into "which target
 * tasks" for each tuple. Routers are built once per (task, edge) when a worker starts; the
 * per-tuple `select` allocates nothing (it returns a task id or a shared array).
 */
import type { Grouping } from '../topology/plan.js';
import { ackerOfRoot } from '../topology/acker-protocol.js';
import type { CustomStreamGrouping } from '../api/grouping.js';
import { CustomRouter } from './custom.js';
import { hashFields } from './hash.js';
import { LocalOrShuffleRouter, ShuffleRouter, type LoadOf } from './shuffle.js';

export interface RouteContext {
  /** Declared fields of the source stream. */
  readonly sourceFields: readonly string[];
  /** Worker index of every task id (index = task id). */
  readonly taskWorker: readonly number[];
  /** Worker of the emitting task. */
  readonly workerIndex: number;
  /** Acker task for each spout task id (index = spout task id), for the system grouping. */
  readonly ackerForSpoutTask: readonly number[];
  /** Random source (injectable so tests are reproducible). */
  readonly random: () => number;
  /** Each thread's load (0..1) as the emitting thread sees it, for the load-aware shuffle; undefined: plain shuffle. */
  readonly load?: LoadOf;
  /** The same, for local-or-shuffle to spill over every task while its own thread is saturated; undefined: it never spills. */
  readonly spillLoad?: LoadOf;
  /** The edge, for custom groupings: who emits, on which stream, to which bolt, and where its grouping comes from. */
  readonly edge?: {
    readonly sourceComponent: string;
    readonly sourceTask: number;
    readonly stream: string;
    readonly targetComponent: string;
    readonly createGrouping: (key: string) => CustomStreamGrouping;
  };
}

export interface Router {
  /** Target task id, or a shared read-only array of ids (never mutate it). */
  select(values: readonly unknown[]): number | readonly number[];
}

export function createRouter(grouping: Grouping, targetTasks: readonly number[], ctx: RouteContext): Router {
  const tasks = [...targetTasks].sort((a, b) => a - b);
  switch (grouping.type) {
    case 'shuffle':
      return new ShuffleRouter(tasks, ctx.taskWorker, ctx.random, ctx.load);
    case 'localOrShuffle':
      return new LocalOrShuffleRouter(tasks, ctx.taskWorker, ctx.workerIndex, ctx.random, ctx.spillLoad);
    case 'fields':
      return new FieldsRouter(tasks, fieldIndexes(grouping.fields, ctx.sourceFields));
    case 'partialKey':
      return new PartialKeyRouter(tasks, fieldIndexes(grouping.fields, ctx.sourceFields));
    case 'all':
      return { select: () => tasks };
    case 'global': {
      const first = tasks[0]!;
      return { select: () => first };
    }
    case 'direct':
      // Direct streams are routed by emitDirect; a plain emit never reaches this router.
      return { select: () => tasks };
    case 'custom': {
      const e = ctx.edge;
      if (!e) throw new Error(`custom grouping '${grouping.key}' needs its edge to be built`);
      const taskWorker = ctx.taskWorker;
      return new CustomRouter(e.createGrouping(grouping.key), tasks, {
        sourceComponent: e.sourceComponent, sourceTask: e.sourceTask, stream: e.stream, targetComponent: e.targetComponent,
        sourceFields: ctx.sourceFields, workerIndex: ctx.workerIndex, workerOfTask: (t) => taskWorker[t] ?? -1,
      });
    }
    case 'ackerRoot': {
      const ackerFor = ctx.ackerForSpoutTask;
      return { select: (values) => ackerOfRoot(values[0] as number, ackerFor) };
    }
  }
}

function fieldIndexes(fields: readonly string[], sourceFields: readonly string[]): number[] {
  return fields.map((f) => {
    const i = sourceFields.indexOf(f);
    if (i < 0) throw new Error(`grouping field '${f}' is not declared (fields: ${sourceFields.join(', ')})`);
    return i;
  });
}

class FieldsRouter implements Router {
  constructor(private readonly tasks: readonly number[], private readonly idx: readonly number[]) {}
  select(values: readonly unknown[]): number {
    return this.tasks[hashFields(values, this.idx) % this.tasks.length]!;
  }
}

/**
 * Partial key grouping (Nasir et al., "The power of both choices"): two hash functions give
 * two candidate tasks; the one this sender has loaded less gets the tuple, so a hot key is
 * split over two tasks instead of overloading one.
 */
class PartialKeyRouter implements Router {
  private readonly load: Float64Array;
  constructor(private readonly tasks: readonly number[], private readonly idx: readonly number[]) {
    this.load = new Float64Array(tasks.length);
  }
  select(values: readonly unknown[]): number {
    const n = this.tasks.length;
    const a = hashFields(values, this.idx) % n;
    let b = hashFields(values, this.idx, 0x9747b28c) % n;
    if (b === a && n > 1) b = (a + 1) % n;
    const pick = this.load[a]! <= this.load[b]! ? a : b;
    this.load[pick]!++;
    return this.tasks[pick]!;
  }
}
