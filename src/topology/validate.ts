/**
 * Checks across components, run on the plain-data plan (never inside the builder), so the
 * same checks apply to hand-written plans and to plans after the system rewrite. Every
 * function returns a list of messages instead of throwing: callers report them together.
 */
import type { ComponentDef, InputDef, Plan } from './plan.js';
import { validateWindows } from './validate-windows.js';
import { validateState } from './validate-state.js';

type Rule = readonly [test: (value: unknown) => boolean, expected: string];

const isPositiveInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) > 0;
const isNonNegativeInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0;
const isPositiveNumber = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** Keys the runtime reads; any of them present in a config must have the right shape. */
const RUNTIME_RULES: Readonly<Record<string, Rule>> = {
  workers: [isPositiveInt, 'a positive integer'],
  ackers: [isNonNegativeInt, 'a non-negative integer'],
  messageTimeoutMs: [isPositiveNumber, 'a positive number'],
  maxSpoutPending: [isPositiveInt, 'a positive integer'],
  enableMessageTimeouts: [(v) => typeof v === 'boolean', 'a boolean'],
  tickFrequencyMs: [isPositiveNumber, 'a positive number'],
  loadAwareShuffle: [(v) => typeof v === 'boolean', 'a boolean'],
  localOrShuffleSpill: [(v) => typeof v === 'boolean', 'a boolean'],
  idleSpinMs: [(v) => typeof v === 'number' && v >= 0 && v <= 1000, 'a number of milliseconds from 0 to 1000'],
  batchDelayMs: [(v) => typeof v === 'number' && v >= 0 && v <= 1000, 'a number of milliseconds from 0 to 1000'],
};

/** Render a user's value so that `"4"` and `4` look different in a message. */
function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}

/** The first value inside `value` that structured clone / JSON cannot carry, if any. */
function unserialisable(value: unknown, path: string): string | undefined {
  const t = typeof value;
  if (t === 'function' || t === 'symbol' || t === 'bigint') return `${path} (${t})`;
  if (t !== 'object' || value === null) return undefined;
  for (const [key, inner] of Object.entries(value as object)) {
    const found = unserialisable(inner, `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}

/**
 * Check the runtime's own keys (`workers`, `ackers`, `messageTimeoutMs`, `maxSpoutPending`,
 * `enableMessageTimeouts`, `tickFrequencyMs`) when present. Exported so the runtime can run
 * it again after merging CLI flags into the topology's config. Unknown keys are the user's.
 */
export function validateRuntimeConfig(config: Readonly<Record<string, unknown>>, label = 'config'): string[] {
  const errors: string[] = [];
  for (const [key, [test, expected]] of Object.entries(RUNTIME_RULES)) {
    if (key in config && !test(config[key])) {
      errors.push(`${label} '${key}' must be ${expected}, got ${show(config[key])}`);
    }
  }
  for (const [key, value] of Object.entries(config)) {
    // Configs travel to worker threads with the plan, so they must be plain data.
    const bad = unserialisable(value, key);
    if (bad) errors.push(`${label} '${key}' is not serialisable: ${bad} cannot be sent to a worker`);
  }
  return errors;
}

function checkIds(plan: Plan, errors: string[]): void {
  const seen = new Set<string>();
  for (const c of plan.components) {
    if (seen.has(c.id)) errors.push(`duplicate component id '${c.id}'`);
    seen.add(c.id);
    if (c.system) continue;
    if (c.id === '') errors.push(`a ${c.kind} has an empty component id`);
    else if (c.id.startsWith('__')) {
      errors.push(`component id '${c.id}' is reserved: ids starting with '__' belong to system components`);
    }
  }
}

function describeGrouping(input: InputDef): string {
  return `${input.grouping.type} grouping on '${input.component}' stream '${input.stream}'`;
}

/** Problems with one input edge of a bolt; `byId` holds every component of the plan. */
function checkInput(bolt: ComponentDef, input: InputDef, byId: Map<string, ComponentDef>): string[] {
  const where = `bolt '${bolt.id}'`;
  const source = byId.get(input.component);
  if (!source) {
    const known = [...byId.values()].filter((c) => !c.system).map((c) => c.id).join(', ');
    return [`${where} subscribes to unknown component '${input.component}' (components: ${known || 'none'})`];
  }
  const stream = source.streams[input.stream];
  if (!stream) {
    const declared = Object.keys(source.streams).join(', ');
    return [
      `${where} subscribes to stream '${input.stream}' of '${source.id}', which declares no such stream ` +
        `(streams: ${declared || 'none'})`,
    ];
  }
  const errors: string[] = [];
  const g = input.grouping;
  if (g.type === 'fields' || g.type === 'partialKey') {
    if (g.fields.length === 0) errors.push(`${where}: ${describeGrouping(input)} has an empty fields list`);
    for (const field of g.fields) {
      if (!stream.fields.includes(field)) {
        errors.push(
          `${where}: ${describeGrouping(input)} uses field '${field}', which the stream does not declare ` +
            `(fields: ${stream.fields.join(', ') || 'none'})`,
        );
      }
    }
  }
  if (g.type === 'direct' && !stream.direct) {
    errors.push(`${where}: ${describeGrouping(input)}, but the stream is not declared direct`);
  } else if (g.type !== 'direct' && stream.direct) {
    errors.push(`${where}: ${describeGrouping(input)}, but the stream is direct: only directGrouping may subscribe`);
  }
  return errors;
}

function checkInputs(plan: Plan, errors: string[]): void {
  const byId = new Map(plan.components.map((c) => [c.id, c] as const));
  for (const c of plan.components) {
    // Spouts only receive from system components (the acker); anything else is a mistake.
    const userInputs = c.inputs.filter((i) => !byId.get(i.component)?.system);
    if (c.kind === 'spout') {
      if (!c.system && userInputs.length > 0) errors.push(`spout '${c.id}' cannot subscribe to other components`);
      continue;
    }
    if (!c.system && c.inputs.length === 0) {
      errors.push(`bolt '${c.id}' has no inputs: subscribe it to a component (e.g. shuffleGrouping)`);
    }
    const edges = new Set<string>();
    for (const input of c.inputs) {
      const edge = `${input.component}\u0000${input.stream}`;
      if (edges.has(edge)) {
        errors.push(`bolt '${c.id}' subscribes twice to '${input.component}' stream '${input.stream}'`);
      }
      edges.add(edge);
      errors.push(...checkInput(c, input, byId));
    }
  }
}

/** Report each cycle among user components once, as "cycle: a -> b -> a". */
function checkCycles(plan: Plan, errors: string[]): void {
  const user = plan.components.filter((c) => !c.system);
  const downstream = new Map<string, string[]>(user.map((c) => [c.id, []]));
  for (const c of user) {
    for (const input of c.inputs) downstream.get(input.component)?.push(c.id);
  }
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): void => {
    state.set(id, 'open');
    path.push(id);
    for (const next of new Set(downstream.get(id))) {
      const s = state.get(next);
      if (s === 'open') errors.push(`cycle: ${[...path.slice(path.indexOf(next)), next].join(' -> ')}`);
      else if (s === undefined) visit(next);
    }
    path.pop();
    state.set(id, 'done');
  };
  for (const c of user) if (!state.has(c.id)) visit(c.id);
}

/**
 * Every problem with a plan, each naming the component, stream or field involved; empty
 * when the plan is valid. Pure: reads plain data only, also valid after the system rewrite.
 */
export function validatePlan(plan: Plan): string[] {
  const errors: string[] = [];
  if (!plan.components.some((c) => c.kind === 'spout' && !c.system)) errors.push('topology has no spout');
  checkIds(plan, errors);
  for (const c of plan.components) {
    if (!isPositiveInt(c.parallelism)) {
      errors.push(`component '${c.id}': parallelism must be a positive integer, got ${show(c.parallelism)}`);
    }
    errors.push(...validateRuntimeConfig(c.config, `component '${c.id}' config`));
  }
  checkInputs(plan, errors);
  checkCycles(plan, errors);
  errors.push(...validateWindows(plan));
  errors.push(...validateState(plan));
  errors.push(...validateRuntimeConfig(plan.config));
  return errors;
}
