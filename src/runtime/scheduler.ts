/**
 * Physical plan: task ids and which worker thread hosts each task. Spout tasks fill threads
 * from the first; bolt tasks continue round-robin after the last spout, so with two or more
 * threads some threads do bolt work without hosting a spout (those are what chaos kills).
 * Ackers go one per thread where possible, and each spout task uses the acker on its own
 * thread, so completing a tree is a local call.
 */
import { type Plan } from '../topology/plan.js';
import { ACKER_ID } from '../topology/acker-protocol.js';
import type { Assignment } from './messages.js';

export function schedule(plan: Plan, workers: number): Assignment {
  const taskWorker: number[] = [-1];
  const taskComponent: string[] = [''];
  const componentTasks: Record<string, number[]> = {};
  let nextTask = 1;
  const place = (componentId: string, worker: number): number => {
    const id = nextTask++;
    taskWorker[id] = worker;
    taskComponent[id] = componentId;
    (componentTasks[componentId] ??= []).push(id);
    return id;
  };

  let cursor = 0;
  for (const c of plan.components) {
    if (c.kind !== 'spout') continue;
    for (let i = 0; i < c.parallelism; i++) place(c.id, cursor++ % workers);
  }
  for (const c of plan.components) {
    if (c.kind !== 'bolt' || c.system) continue;
    for (let i = 0; i < c.parallelism; i++) place(c.id, cursor++ % workers);
  }
  const ackerTasks: number[] = [];
  const acker = plan.components.find((c) => c.id === ACKER_ID);
  if (acker) for (let i = 0; i < acker.parallelism; i++) ackerTasks.push(place(ACKER_ID, i % workers));

  const ackerForSpoutTask: number[] = [];
  if (ackerTasks.length > 0) {
    let spoutIndex = 0;
    for (let t = 1; t < taskWorker.length; t++) {
      const c = plan.components.find((x) => x.id === taskComponent[t])!;
      if (c.kind !== 'spout') continue;
      const local = ackerTasks.find((a) => taskWorker[a] === taskWorker[t]);
      ackerForSpoutTask[t] = local ?? ackerTasks[spoutIndex % ackerTasks.length]!;
      spoutIndex++;
    }
  }
  return { workers, taskWorker, taskComponent, componentTasks, ackerForSpoutTask };
}

/** Task ids of every spout component. */
export function spoutTasks(plan: Plan, a: Assignment): number[] {
  const out: number[] = [];
  for (const c of plan.components) if (c.kind === 'spout') out.push(...(a.componentTasks[c.id] ?? []));
  return out;
}

/** Workers hosting at least one spout task. */
export function spoutWorkers(plan: Plan, a: Assignment): Set<number> {
  return new Set(spoutTasks(plan, a).map((t) => a.taskWorker[t]!));
}
