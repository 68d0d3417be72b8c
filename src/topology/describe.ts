/**
 * Human-readable and JSON renderings of a plan, for `topo validate` and debugging: what a
 * user checks before running (components, streams, edges and, once scheduled, placement).
 */
import type { Grouping, Plan } from './plan.js';

/** Where tasks were placed, as the scheduler decides it (only what the text needs). */
export interface PlanAssignment {
  readonly workers: number;
  readonly tasks: readonly { readonly taskId: number; readonly componentId: string; readonly worker: number }[];
}

/** Rows of cells as lines, every column but the last padded to its widest cell. */
function table(rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map(
    (row) => indent + row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i]!) : cell)).join('  ').trimEnd(),
  );
}

function groupingText(g: Grouping): string {
  return g.type === 'fields' || g.type === 'partialKey' ? `${g.type}(${g.fields.join(', ')})` : g.type;
}

function configText(config: Readonly<Record<string, unknown>>): string {
  return Object.entries(config)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(' ');
}

/** Task ids per component on one worker, e.g. "split[3,5] count[7]". */
function workerLine(tasks: PlanAssignment['tasks']): string {
  const byComponent = new Map<string, number[]>();
  for (const t of [...tasks].sort((a, b) => a.taskId - b.taskId)) {
    const ids = byComponent.get(t.componentId) ?? [];
    ids.push(t.taskId);
    byComponent.set(t.componentId, ids);
  }
  return [...byComponent].map(([id, ids]) => `${id}[${ids.join(',')}]`).join(' ') || '(idle)';
}

/** What to show: system components (the acker) and system streams are hidden unless `system`. */
export interface DescribeOptions {
  readonly system?: boolean;
}

/** Streams the system rewrite adds (acker traffic, ticks) are named with a `__` prefix. */
const isSystemStream = (id: string): boolean => id.startsWith('__');

/**
 * Describe a plan as aligned text: components (kind, parallelism, config), streams (fields,
 * direct), edges as `src --[grouping(fields) on stream]--> dst`, and, given an assignment,
 * the tasks on each worker. `system: false` keeps to what the user wrote: the acker's 13
 * edges buried a 3-edge topology.
 */
export function describePlan(plan: Plan, assignment?: PlanAssignment, options: DescribeOptions = {}): string {
  const all = options.system ?? true;
  const systemIds = new Set(plan.components.filter((c) => c.system).map((c) => c.id));
  const components = all ? plan.components : plan.components.filter((c) => !c.system);
  const shownStream = (id: string): boolean => all || !isSystemStream(id);
  const tasks = components.reduce((n, c) => n + c.parallelism, 0);
  const hidden = plan.components.filter((c) => systemIds.has(c.id) && !all);
  const hiddenNote = hidden.length > 0
    ? ` (system components hidden: ${hidden.map((c) => `${c.id} x${c.parallelism}`).join(', ')}; --system shows them)`
    : '';
  const lines = [`topology '${plan.name}': ${components.length} components, ${tasks} tasks${hiddenNote}`];
  if (Object.keys(plan.config).length > 0) lines.push(`config: ${configText(plan.config)}`);

  lines.push('', 'components');
  lines.push(
    ...table(
      components.map((c) => [
        c.id,
        `${c.kind}${c.basic ? ' (basic)' : ''}${c.system ? ' (system)' : ''}`,
        `x${c.parallelism}`,
        configText(c.config),
      ]),
    ),
  );

  lines.push('', 'streams');
  const streams = components.flatMap((c) =>
    Object.values(c.streams).filter((s) => shownStream(s.id)).map((s) => [c.id, s.id, `[${s.fields.join(', ')}]`, s.direct ? 'direct' : '']),
  );
  lines.push(...(streams.length > 0 ? table(streams) : ['  (none)']));

  lines.push('', 'edges');
  const edges = components.flatMap((c) =>
    c.inputs
      .filter((i) => all || (!systemIds.has(i.component) && !isSystemStream(i.stream)))
      .map((i) => [i.component, `--[${groupingText(i.grouping)} on ${i.stream}]-->`, c.id]),
  );
  lines.push(...(edges.length > 0 ? table(edges) : ['  (none)']));

  if (assignment) {
    lines.push('', `workers: ${assignment.workers}`);
    const rows: string[][] = [];
    for (let w = 0; w < assignment.workers; w++) {
      rows.push([`worker ${w}:`, workerLine(assignment.tasks.filter((t) => t.worker === w && (all || !systemIds.has(t.componentId))))]);
    }
    lines.push(...table(rows));
  }
  return lines.join('\n');
}

/** The plan as indented JSON; it is plain data, so this round-trips through `JSON.parse`. */
export function planToJSON(plan: Plan): string {
  return JSON.stringify(plan, null, 2);
}
