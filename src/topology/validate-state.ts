/**
 * Build-time checks of stateful bolts, on the plain-data plan: the options' shapes, and
 * Storm's rule that the checkpoint interval stays below the message timeout. A stateful
 * bolt acks an input only at the checkpoint after it, so an input waits up to one interval
 * plus the commit; the timeout must leave room for both or held trees time out and replay.
 * Twice the interval is the bound: the commit gets as long as the wait. Messages name the bolt.
 */
import { STATE_CONFIG_KEY, type StateSpec } from '../api/stateful.js';
import type { ComponentDef, Plan } from './plan.js';
import { inputsLacking } from './input-fields.js';

/** The runtime's default (runtime/config.ts), for a plan whose config does not set it. */
const DEFAULT_MESSAGE_TIMEOUT_MS = 30000;

const positive = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** The state spec of a component, if it is a stateful bolt. */
export function stateSpecIn(c: ComponentDef): StateSpec | undefined {
  const spec = c.config[STATE_CONFIG_KEY];
  return typeof spec === 'object' && spec !== null ? (spec as StateSpec) : undefined;
}

/** True when a plan has a stateful bolt (`topo run` then resolves a Redis even without views). */
export function usesState(plan: Plan): boolean {
  return plan.components.some((c) => stateSpecIn(c) !== undefined);
}

function checkShape(where: string, s: StateSpec, errors: string[]): boolean {
  let ok = true;
  if (!positive(s.checkpointIntervalMs)) {
    errors.push(`${where}: checkpointIntervalMs must be a positive number of ms, got ${String(s.checkpointIntervalMs)}`);
    ok = false;
  }
  if (!Number.isInteger(s.checkpointEveryInputs) || s.checkpointEveryInputs <= 0) {
    errors.push(`${where}: checkpointEveryInputs must be a positive integer, got ${String(s.checkpointEveryInputs)}`);
  }
  if (s.namespace !== undefined && (typeof s.namespace !== 'string' || s.namespace === '')) {
    errors.push(`${where}: state namespace must be a non-empty string, got ${JSON.stringify(s.namespace)}`);
  }
  if (s.idField !== undefined && (typeof s.idField !== 'string' || s.idField === '')) {
    errors.push(`${where}: state idField must be a non-empty field name, got ${JSON.stringify(s.idField)}`);
  }
  if (s.dedupeRetentionMs !== undefined && !positive(s.dedupeRetentionMs)) {
    errors.push(`${where}: dedupeRetentionMs must be a positive number of ms, got ${String(s.dedupeRetentionMs)}`);
  }
  return ok;
}

/** Every input stream of the bolt must declare the id field. */
function checkIdField(where: string, c: ComponentDef, field: string, byId: Map<string, ComponentDef>, errors: string[]): void {
  for (const m of inputsLacking(c, field, byId)) {
    errors.push(`${where}: state idField '${field}' is not declared by '${m.component}' stream '${m.stream}' (fields: ${m.fields})`);
  }
}

/**
 * Problems with the stateful bolts of a plan. `config` is the configuration the run will
 * use (the plan's own at build; the merged one at submit, so `-c messageTimeoutMs=` is
 * checked too). The interval is the bolt's tick frequency: `setTickFrequency` after
 * `stateful()` changes it, and is what gets checked.
 */
export function validateState(plan: Plan, config: Readonly<Record<string, unknown>> = plan.config): string[] {
  const errors: string[] = [];
  const timeoutsOn = config['ackers'] !== 0 && config['enableMessageTimeouts'] !== false;
  const timeout = typeof config['messageTimeoutMs'] === 'number' ? config['messageTimeoutMs'] : DEFAULT_MESSAGE_TIMEOUT_MS;
  const byId = new Map(plan.components.map((c) => [c.id, c] as const));
  for (const c of plan.components) {
    const spec = stateSpecIn(c);
    if (!spec) continue;
    const where = `bolt '${c.id}'`;
    if (typeof spec.idField === 'string' && spec.idField !== '') checkIdField(where, c, spec.idField, byId, errors);
    if (!checkShape(where, spec, errors) || !timeoutsOn) continue;
    const tick = c.config['tickFrequencyMs'];
    const interval = typeof tick === 'number' ? tick : spec.checkpointIntervalMs;
    if (!(timeout >= 2 * interval)) {
      errors.push(
        `${where}: messageTimeoutMs (${timeout} ms) must be at least twice the checkpoint interval (${interval} ms): ` +
          `inputs are acked at the checkpoint after them, and held trees would time out and replay`,
      );
    }
  }
  return errors;
}
