/**
 * `topo validate FILE`: build the topology, apply the system rewrite and the scheduler with
 * the effective configuration, and print the plan with tasks per worker thread.
 */
import { loadTopologyFile } from '../runtime/loader.js';
import { mergeConfig } from '../runtime/config.js';
import { schedule } from '../runtime/scheduler.js';
import { addSystemComponents } from '../topology/system.js';
import { describePlan, planToJSON } from '../topology/describe.js';
import { validateRuntimeConfig } from '../topology/validate.js';
import { configPairs, overrides, UsageError, type CommonFlags } from './options.js';

export async function validateCommand(file: string, flags: CommonFlags & { json?: boolean }): Promise<number> {
  const { topology } = await loadTopologyFile(file);
  const config = mergeConfig(topology.plan.config, configPairs(flags.config), overrides(flags));
  const problems = validateRuntimeConfig(config);
  if (problems.length > 0) throw new UsageError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  const plan = addSystemComponents(topology.plan, {
    ackers: config.ackers, messageTimeoutMs: config.messageTimeoutMs, enableMessageTimeouts: config.enableMessageTimeouts,
  });
  const a = schedule(plan, config.workers);
  if (flags.json) {
    process.stdout.write(`${planToJSON(plan)}\n`);
    return 0;
  }
  const tasks = [];
  for (let t = 1; t < a.taskWorker.length; t++) tasks.push({ taskId: t, componentId: a.taskComponent[t]!, worker: a.taskWorker[t]! });
  process.stdout.write(`${describePlan(plan, { workers: a.workers, tasks })}\n`);
  return 0;
}
