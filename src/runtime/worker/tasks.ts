/**
 * Builds a worker's executors: one instance per task from the topology's component sources
 * (the acker from the runtime), each with its context, emitter and collector.
 */
import type { Bolt, BasicBolt, Spout } from '../../api/components.js';
import type { TopologyContext } from '../../api/context.js';
import type { Topology } from '../../topology/topology.js';
import { type Plan } from '../../topology/plan.js';
import { ACKER_ID } from '../../topology/acker-protocol.js';
import type { Assignment } from '../messages.js';
import { AckerBolt } from '../acker/acker-bolt.js';
import { TaskEmitter } from './emitter.js';
import type { StreamTable } from './streams.js';
import type { Executor, ExecutorHost } from './executor.js';
import { SpoutExecutor } from './spout-executor.js';
import { BoltExecutor } from './bolt-executor.js';
import { TaskHooks } from './task-hooks.js';
import type { SharedResources } from './shared-resources.js';

export function buildExecutors(
  host: ExecutorHost,
  topology: Topology,
  plan: Plan,
  assignment: Assignment,
  streams: StreamTable,
  resources: SharedResources,
): { executors: Executor[]; failed?: { component: string; taskId: number; error: unknown } } {
  const executors: Executor[] = [];
  const config = Object.freeze({ ...host.config });
  // Load-aware shuffle is the default, as Storm's: with a slow target task a plain shuffle fell
  // to half the offered rate at a p50 of seconds, load-aware kept the rate (bench
  // skewed-shuffle, docs/benchmarks.md), at no measured cost without skew. Local-or-shuffle spilling stays opt-in: on pageviews it cost ~15% of
  // throughput (it spilled the spout's bursts to the other thread, which paid for encoding them).
  const loadOf = (w: number): number => host.loadOf(w);
  const loadAware = config['loadAwareShuffle'] !== false ? loadOf : undefined;
  const spill = config['localOrShuffleSpill'] === true ? loadOf : undefined;
  for (let taskId = 1; taskId < assignment.taskWorker.length; taskId++) {
    if (assignment.taskWorker[taskId] !== host.workerIndex) continue;
    const componentId = assignment.taskComponent[taskId]!;
    const def = plan.components.find((c) => c.id === componentId)!;
    try {
      const instance = componentId === ACKER_ID ? new AckerBolt() : topology.create(componentId);
      const tasks = assignment.componentTasks[componentId]!;
      const componentConfig = Object.freeze({ ...config, ...def.config });
      // Hook errors are the task's: reported on its counters once the executor exists.
      let executor: Executor | undefined;
      const hooks = new TaskHooks(taskId, (err) => executor && host.reportError(executor.counters, err));
      const context = makeContext(plan, assignment, componentId, taskId, tasks.indexOf(taskId), host.workerIndex, {
        addTaskHook: (h) => hooks.add(h, componentConfig, context),
        getSharedResource: <T>(name: string) => resources.get(name) as T,
        clock: host.clock,
      });
      const emitter = new TaskEmitter(taskId, componentId, plan, streams, assignment, host.workerIndex, () => host.ids.random(), (key) => topology.createGrouping(key), loadAware, spill);
      executor = def.kind === 'spout'
        ? new SpoutExecutor(host, taskId, componentId, instance as Spout, emitter, context, componentConfig, hooks)
        : new BoltExecutor(host, taskId, componentId, instance as Bolt | BasicBolt, def.basic, def.system, emitter, context, componentConfig, hooks);
      // Topology-wide hooks (builder.addTaskHook) watch user tasks only, from before open/prepare.
      if (!def.system) for (const h of topology.createTaskHooks()) hooks.add(h, componentConfig, context);
      executors.push(executor);
    } catch (error) {
      return { executors, failed: { component: componentId, taskId, error } };
    }
  }
  return { executors };
}

function makeContext(
  plan: Plan,
  assignment: Assignment,
  componentId: string,
  taskId: number,
  taskIndex: number,
  workerIndex: number,
  services: Pick<TopologyContext, 'addTaskHook' | 'getSharedResource' | 'clock'>,
): TopologyContext {
  return {
    ...services,
    topologyName: plan.name,
    componentId,
    taskId,
    taskIndex,
    workerIndex,
    getComponentTasks: (id) => assignment.componentTasks[id] ?? [],
    getComponentOutputFields: (id, stream = 'default') =>
      plan.components.find((c) => c.id === id)?.streams[stream]?.fields ?? [],
    getComponentId: (task) => assignment.taskComponent[task] ?? '',
    getThisSources: () => {
      const system = new Set(plan.components.filter((c) => c.system).map((c) => c.id));
      const def = plan.components.find((c) => c.id === componentId);
      return (def?.inputs ?? []).filter((i) => !system.has(i.component)).map((i) => ({ component: i.component, stream: i.stream }));
    },
  };
}
