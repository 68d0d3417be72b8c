/**
 * From a topology to what runs: the merged configuration (validated), the plan with the
 * system components added, and the assignment of tasks to threads. Shared by `topo run`
 * (the supervisor) and `topo validate`, so both show the same plan.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { Topology } from '../topology/topology.js';
import type { Plan } from '../topology/plan.js';
import { addSystemComponents } from '../topology/system.js';
import { validateRuntimeConfig } from '../topology/validate.js';
import { validateWindows } from '../topology/validate-windows.js';
import { validateState } from '../topology/validate-state.js';
import { mergeConfig, type RuntimeConfig } from './config.js';
import type { Assignment } from './messages.js';
import { schedule } from './scheduler.js';

/**
 * An error that ends a command with a given exit code (1 failed, 2 bad usage). `detail` (a
 * stack trace from the user's code) is shown with `topo --verbose` only.
 */
export class RunError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2, readonly detail?: string) {
    super(message);
  }
}

/** More worker threads than this only compete for the cores (and `-w 9999` exhausted the heap). */
export const WORKERS_PER_CORE = 4;
export const MAX_WORKERS = 256;

export function workerLimit(cores = availableParallelism()): number {
  return Math.min(MAX_WORKERS, WORKERS_PER_CORE * cores);
}

export interface PhysicalPlan {
  readonly config: RuntimeConfig;
  readonly plan: Plan;
  readonly assignment: Assignment;
}

export interface ConfigLayers {
  /** The topology file, exposed to components as `topology.file` (files shipped next to it). */
  readonly file?: string | undefined;
  /** `-c key=value` pairs. */
  readonly config?: Readonly<Record<string, unknown>> | undefined;
  /** Dedicated flags (`--workers`, ...), over everything. */
  readonly overrides?: Readonly<Record<string, unknown>> | undefined;
  /** Tasks run on the calling thread: one worker. */
  readonly inThread?: boolean | undefined;
}

export function physicalPlan(topology: Topology, layers: ConfigLayers): PhysicalPlan {
  const fromFile = layers.file !== undefined ? { 'topology.file': layers.file } : undefined;
  const config = mergeConfig(fromFile, topology.plan.config, layers.config, layers.overrides);
  if (layers.inThread) config.workers = 1;
  // One id per run, the same in every thread and in a replacement thread: what tells a task's
  // files (the master sink's temp parts) from those of another run in the same process.
  if (typeof config['topology.runId'] !== 'string') config['topology.runId'] = randomBytes(4).toString('hex');
  // More ackers than threads buys nothing: the scheduler puts one on each thread.
  if (config.ackers > config.workers * 4) config.ackers = config.workers;
  // Window and stateful bolts again with the merged config: `-c messageTimeoutMs=` may break Storm's rules the build checked.
  const problems = [...validateRuntimeConfig(config), ...validateWindows(topology.plan, config), ...validateState(topology.plan, config)];
  const limit = workerLimit();
  if (Number.isInteger(config.workers) && config.workers > limit) {
    problems.push(`workers: ${config.workers} is above the limit of ${limit} (${WORKERS_PER_CORE} per core on ${availableParallelism()} core(s), at most ${MAX_WORKERS}): more threads only compete for the cores`);
  }
  if (problems.length > 0) {
    const where = layers.file !== undefined ? ` (${layers.file})` : '';
    throw new RunError(`invalid configuration of topology '${topology.name}'${where}:\n  ${problems.join('\n  ')}`, 2);
  }
  const plan = addSystemComponents(topology.plan, {
    ackers: config.ackers, messageTimeoutMs: config.messageTimeoutMs, enableMessageTimeouts: config.enableMessageTimeouts,
  });
  return { config, plan, assignment: schedule(plan, config.workers) };
}
