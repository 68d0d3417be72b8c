/**
 * `topo validate FILE`: build the topology, apply the system rewrite and the scheduler with
 * the effective configuration, and print the plan with tasks per worker thread (the acker
 * and its streams only with --system; --json always has the whole plan).
 */
import { loadTopologyFile } from '../runtime/loader.js';
import { declarationsOf } from './input-format.js';
import { physicalPlan, RunError } from '../runtime/physical-plan.js';
import { describePlan, planToJSON } from '../topology/describe.js';
import { configPairs, overrides, UsageError, type CommonFlags } from './options.js';

export async function validateCommand(file: string, flags: CommonFlags & { json?: boolean; system?: boolean }): Promise<number> {
  const loaded = await loadTopologyFile(file);
  await declarationsOf(loaded, file);
  let physical;
  try {
    physical = physicalPlan(loaded.topology, { file: loaded.file, config: configPairs(flags.config), overrides: overrides(flags) });
  } catch (err) {
    if (err instanceof RunError) throw new UsageError(err.message);
    throw err;
  }
  const { plan, assignment: a } = physical;
  if (flags.json) {
    process.stdout.write(`${planToJSON(plan)}\n`);
    return 0;
  }
  const tasks = [];
  for (let t = 1; t < a.taskWorker.length; t++) tasks.push({ taskId: t, componentId: a.taskComponent[t]!, worker: a.taskWorker[t]! });
  process.stdout.write(`${describePlan(plan, { workers: a.workers, tasks }, { system: flags.system === true })}\n`);
  return 0;
}
