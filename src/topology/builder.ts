/**
 * The DSL a topology file uses (Storm's TopologyBuilder). It only records what the user
 * wrote; `build()` turns that into a frozen plain-data plan, and the checks across
 * components run on that plan in validate.ts.
 */
import type { BasicBolt, Bolt, Component, ComponentSource, Spout } from '../api/components.js';
import type { OutputFieldsDeclarer } from '../api/declarer.js';
import { customGroupingKey, type CustomGroupingSource, type CustomStreamGrouping } from '../api/grouping.js';
import type { TaskHook, TaskHookFactory } from '../api/hooks.js';
import type { SharedResourceSpec } from '../api/resources.js';
import { DEFAULT_STREAM } from '../api/tuple.js';
import { WINDOW_CONFIG_KEY, windowSpecOf } from '../api/windowed.js';
import { STATE_CONFIG_KEY, stateSpecOf } from '../api/stateful.js';
import { TopologyValidationError } from './errors.js';
import type { ComponentDef, ComponentKind, Grouping, InputDef, Plan, StreamDef } from './plan.js';
import { instantiate, type Topology } from './topology.js';
import { validatePlan } from './validate.js';

/** Settings shared by spouts and bolts. Every method returns the declarer for chaining. */
export interface ComponentDeclarer {
  addConfiguration(key: string, value: unknown): this;
  addConfigurations(config: Readonly<Record<string, unknown>>): this;
  /** Deliver a tick tuple (`tuple.isTick()`) every `ms` milliseconds; sets `tickFrequencyMs`. */
  setTickFrequency(ms: number): this;
}

export interface SpoutDeclarer extends ComponentDeclarer {
  /** Tracked trees in flight per task of this spout (overrides the run's `maxSpoutPending`); sets `maxSpoutPending`. */
  setMaxSpoutPending(n: number): this;
}

/**
 * Subscriptions of a bolt. `stream` defaults to "default"; a bolt may subscribe to several
 * components and streams.
 */
export interface BoltDeclarer extends ComponentDeclarer {
  shuffleGrouping(component: string, stream?: string): this;
  /** Tuples with equal values in `fields` go to the same task. */
  fieldsGrouping(component: string, fields: readonly string[], stream?: string): this;
  /** Every task receives every tuple. */
  allGrouping(component: string, stream?: string): this;
  /** Every tuple goes to the task with the lowest id. */
  globalGrouping(component: string, stream?: string): this;
  /** The emitter picks the task (`emitDirect`); the stream must be declared direct. */
  directGrouping(component: string, stream?: string): this;
  /** Prefer tasks on the emitter's own thread, shuffle among them. */
  localOrShuffleGrouping(component: string, stream?: string): this;
  /** Fields grouping that splits a hot key over two candidate tasks. */
  partialKeyGrouping(component: string, fields: readonly string[], stream?: string): this;
  /** Your own choice of target tasks per tuple (Storm's customGrouping): a class or factory of CustomStreamGrouping. */
  customGrouping(component: string, grouping: CustomGroupingSource, stream?: string): this;
}

/** What the builder remembers about one component until `build()`. */
interface Entry {
  readonly id: string;
  readonly kind: ComponentKind;
  readonly source: ComponentSource<Component>;
  readonly parallelism: number;
  readonly config: Record<string, unknown>;
  readonly inputs: InputDef[];
  /** Custom groupings of this bolt's inputs, by plan key. */
  readonly groupings: Map<string, CustomGroupingSource>;
}

class ComponentDeclarerImpl implements ComponentDeclarer {
  constructor(protected readonly entry: Entry) {}

  addConfiguration(key: string, value: unknown): this {
    return this.addConfigurations({ [key]: value });
  }
  addConfigurations(config: Readonly<Record<string, unknown>>): this {
    Object.assign(this.entry.config, config);
    return this;
  }
  setTickFrequency(ms: number): this {
    return this.addConfiguration('tickFrequencyMs', ms);
  }
}

class SpoutDeclarerImpl extends ComponentDeclarerImpl implements SpoutDeclarer {
  setMaxSpoutPending(n: number): this {
    return this.addConfiguration('maxSpoutPending', n);
  }
}

class BoltDeclarerImpl extends ComponentDeclarerImpl implements BoltDeclarer {
  shuffleGrouping(component: string, stream = DEFAULT_STREAM): this {
    return this.grouping(component, stream, { type: 'shuffle' });
  }
  fieldsGrouping(component: string, fields: readonly string[], stream = DEFAULT_STREAM): this {
    return this.grouping(component, stream, { type: 'fields', fields: [...fields] });
  }
  allGrouping(component: string, stream = DEFAULT_STREAM): this {
    return this.grouping(component, stream, { type: 'all' });
  }
  globalGrouping(component: string, stream = DEFAULT_STREAM): this {
    return this.grouping(component, stream, { type: 'global' });
  }
  directGrouping(component: string, stream = DEFAULT_STREAM): this {
    return this.grouping(component, stream, { type: 'direct' });
  }
  localOrShuffleGrouping(component: string, stream = DEFAULT_STREAM): this {
    return this.grouping(component, stream, { type: 'localOrShuffle' });
  }
  partialKeyGrouping(component: string, fields: readonly string[], stream = DEFAULT_STREAM): this {
    return this.grouping(component, stream, { type: 'partialKey', fields: [...fields] });
  }

  customGrouping(component: string, grouping: CustomGroupingSource, stream = DEFAULT_STREAM): this {
    const key = customGroupingKey(this.entry.id, component, stream);
    this.entry.groupings.set(key, grouping);
    return this.grouping(component, stream, { type: 'custom', key });
  }

  // The single place an edge is recorded; whether it makes sense is validate.ts's job.
  private grouping(component: string, stream: string, grouping: Grouping): this {
    this.entry.inputs.push({ component, stream, grouping });
    return this;
  }
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Instantiate a component once to read its output streams and tell its kind. Problems are
 * returned, not thrown, so that they are reported along with the plan's.
 */
function inspectComponent(id: string, kind: ComponentKind, source: ComponentSource<Component>) {
  const streams: Record<string, StreamDef> = {};
  const errors: string[] = [];
  let defaults: Record<string, unknown> = {};
  let instance: Record<string, unknown>;
  try {
    instance = instantiate(source) as unknown as Record<string, unknown>;
  } catch (err) {
    return { streams, basic: false, defaults, errors: [`component '${id}': creating an instance failed: ${message(err)}`] };
  }
  if (typeof instance !== 'object' || instance === null) {
    return { streams, basic: false, defaults, errors: [`component '${id}': its factory returned ${String(instance)}, not an object`] };
  }
  const required = kind === 'spout' ? 'nextTuple' : 'execute';
  if (typeof instance[required] !== 'function') {
    errors.push(`component '${id}' given to set${kind === 'spout' ? 'Spout' : 'Bolt'} is not a ${kind} (no ${required} method)`);
  }
  const declarer: OutputFieldsDeclarer = {
    declare: (fields, direct) => declarer.declareStream(DEFAULT_STREAM, fields, direct),
    declareStream(streamId, fields, direct = false) {
      const where = `component '${id}' stream '${streamId}'`;
      if (typeof streamId !== 'string' || streamId === '') errors.push(`component '${id}' declares a stream with an empty id`);
      else if (streamId.startsWith('__')) errors.push(`${where}: stream ids starting with '__' are reserved for the system`);
      else if (streamId in streams) errors.push(`${where} is declared twice`);
      if (!Array.isArray(fields) || fields.some((f) => typeof f !== 'string' || f === '')) {
        errors.push(`${where}: fields must be an array of non-empty strings`);
      } else if (new Set(fields).size !== fields.length) {
        errors.push(`${where} declares a field twice (fields: ${fields.join(', ')})`);
      }
      if (streamId in streams) return; // the first declaration stands, as for component ids
      streams[streamId] = { id: streamId, fields: Array.isArray(fields) ? [...fields] : [], direct: direct === true };
    },
  };
  // A sink may omit declareOutputFields: the interfaces require it, the runtime does not.
  if (typeof instance.declareOutputFields === 'function') {
    try {
      (instance as unknown as Component).declareOutputFields(declarer);
    } catch (err) {
      errors.push(`component '${id}': declareOutputFields threw: ${message(err)}`);
    }
  }
  // Storm's getComponentConfiguration: the component's own defaults, under the declarer's settings.
  if (typeof instance.getComponentConfiguration === 'function') {
    try {
      const own = (instance as unknown as Component).getComponentConfiguration!();
      if (typeof own === 'object' && own !== null && !Array.isArray(own)) defaults = { ...own };
      else errors.push(`component '${id}': getComponentConfiguration() must return an object of settings, got ${own === null ? 'null' : typeof own}`);
    } catch (err) {
      errors.push(`component '${id}': getComponentConfiguration threw: ${message(err)}`);
    }
  }
  return { streams, basic: kind === 'bolt' && isBasic(instance), defaults, errors };
}

/** Instantiate each custom grouping once, as components are, to report a source that is not one. */
function inspectGroupings(entry: Entry): string[] {
  const errors: string[] = [];
  for (const input of entry.inputs) {
    if (input.grouping.type !== 'custom') continue;
    const where = `bolt '${entry.id}': custom grouping on '${input.component}' stream '${input.stream}'`;
    const source = entry.groupings.get(input.grouping.key);
    if (typeof source !== 'function') {
      errors.push(`${where} is ${source === null ? 'null' : typeof source}: pass a class or a factory function that returns a new instance`);
      continue;
    }
    try {
      const g = instantiate(source) as Partial<CustomStreamGrouping> | null;
      if (typeof g?.chooseTasks !== 'function') errors.push(`${where} has no chooseTasks method`);
    } catch (err) {
      errors.push(`${where}: creating an instance failed: ${message(err)}`);
    }
  }
  return errors;
}

/**
 * Basic or rich bolt. The explicit `isBasicBolt` marker (set by BaseBasicBolt) wins. Without
 * it, a bolt with no `prepare` is basic: a rich Bolt gets its collector only from `prepare`,
 * so without one it could never ack (this covers `execute(tuple, collector)` with no prepare).
 * A bolt with a `prepare` and no marker is rich, whatever its `execute` arity.
 */
function isBasic(instance: Record<string, unknown>): boolean {
  if (typeof instance.isBasicBolt === 'boolean') return instance.isBasicBolt;
  return typeof instance.prepare !== 'function';
}

/** A deep copy for the plan, so freezing it never freezes the user's own objects. */
function copyConfig(config: Readonly<Record<string, unknown>>): Record<string, unknown> {
  try {
    return structuredClone({ ...config });
  } catch {
    return { ...config }; // holds a function or the like: validation reports it by key
  }
}

function freezeDeep<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) freezeDeep(inner);
    Object.freeze(value);
  }
  return value;
}

/** Builds a topology: declare spouts and bolts, wire them with groupings, then `build()`. */
export class TopologyBuilder {
  private readonly entries = new Map<string, Entry>();
  /** Problems seen while declaring (duplicate ids), reported with the plan's at build time. */
  private readonly problems: string[] = [];
  private readonly hookFactories: TaskHookFactory[] = [];
  private readonly resources = new Map<string, SharedResourceSpec>();

  /** A task hook for every user task (Storm's topology.auto.task.hooks): the factory runs once per task, on its thread. */
  addTaskHook(factory: TaskHookFactory): this {
    if (typeof factory !== 'function') this.problems.push(`addTaskHook expects a factory function returning a hook, got ${factory === null ? 'null' : typeof factory}`);
    else this.hookFactories.push(factory);
    return this;
  }

  /**
   * A resource shared by the tasks of each worker thread (Storm's worker resources): `create`
   * runs on a thread's first `context.getSharedResource(name)`, `close` when the thread closes.
   */
  addSharedResource<T>(name: string, create: () => T, close?: (resource: Awaited<T>) => void | Promise<void>): this {
    if (typeof name !== 'string' || name === '') this.problems.push('addSharedResource: the name must be a non-empty string');
    else if (this.resources.has(name)) this.problems.push(`shared resource '${name}' is declared twice`);
    else if (typeof create !== 'function') this.problems.push(`shared resource '${name}': create must be a function, got ${typeof create}`);
    else this.resources.set(name, { create, ...(close !== undefined ? { close: close as (r: unknown) => void | Promise<void> } : {}) });
    return this;
  }

  /** Add a spout, given as a class or a factory; each task gets its own instance. */
  setSpout(id: string, source: ComponentSource<Spout>, parallelism = 1): SpoutDeclarer {
    return new SpoutDeclarerImpl(this.add(id, 'spout', source, parallelism));
  }

  /** Add a bolt (Bolt or BasicBolt), given as a class or a factory. */
  setBolt(id: string, source: ComponentSource<Bolt | BasicBolt>, parallelism = 1): BoltDeclarer {
    const entry = this.add(id, 'bolt', source, parallelism);
    // A window bolt (`windowed()`) records its spec in the plan, where the build checks it,
    // and advances its watermark on ticks (setTickFrequency afterwards overrides the interval).
    const spec = windowSpecOf(source);
    if (spec) entry.config[WINDOW_CONFIG_KEY] = spec;
    if (spec?.by === 'time' && spec.watermarkIntervalMs > 0) entry.config['tickFrequencyMs'] = spec.watermarkIntervalMs;
    // A stateful bolt (`stateful()`) checkpoints on its ticks, likewise.
    const state = stateSpecOf(source);
    if (state) entry.config[STATE_CONFIG_KEY] = state;
    if (state && state.checkpointIntervalMs > 0) entry.config['tickFrequencyMs'] = state.checkpointIntervalMs;
    return new BoltDeclarerImpl(entry);
  }

  /**
   * Validate and freeze the topology. Each component is instantiated once here, only to
   * read its declared output streams. Throws one `TopologyValidationError` listing every
   * problem found.
   */
  build(name: string, config: Readonly<Record<string, unknown>> = {}): Topology {
    const problems = [...this.problems];
    if (typeof name !== 'string' || name.trim() === '') problems.push('topology name must be a non-empty string');
    const components: ComponentDef[] = [];
    const sources = new Map<string, ComponentSource<Component>>();
    const groupings = new Map<string, CustomGroupingSource>();
    for (const entry of this.entries.values()) {
      const { streams, basic, defaults, errors } = inspectComponent(entry.id, entry.kind, entry.source);
      problems.push(...errors, ...inspectGroupings(entry));
      sources.set(entry.id, entry.source);
      for (const [key, g] of entry.groupings) groupings.set(key, g);
      // Copies, so declaring more on this builder later cannot change a built plan.
      components.push({
        id: entry.id,
        kind: entry.kind,
        basic,
        parallelism: entry.parallelism,
        streams,
        inputs: entry.inputs.map((i) => ({ ...i })),
        config: copyConfig({ ...defaults, ...entry.config }),
        system: false,
      });
    }
    const plan: Plan = freezeDeep({ name, components, config: copyConfig(config) });
    const hookFactories = [...this.hookFactories];
    const sharedResources: ReadonlyMap<string, SharedResourceSpec> = new Map(this.resources);
    problems.push(...validatePlan(plan));
    if (problems.length > 0) throw new TopologyValidationError(problems, name);
    return Object.freeze({
      kind: 'topo.topology' as const,
      name,
      plan,
      create(componentId: string): Component {
        const source = sources.get(componentId);
        if (!source) {
          throw new Error(`topology '${name}' has no component '${componentId}' (components: ${[...sources.keys()].join(', ')})`);
        }
        return instantiate(source);
      },
      createGrouping(key: string): CustomStreamGrouping {
        const source = groupings.get(key);
        if (!source) throw new Error(`topology '${name}' has no custom grouping '${key.split('\u0000').join(' <- ')}'`);
        return instantiate(source);
      },
      createTaskHooks: (): TaskHook[] => hookFactories.map((f) => f()),
      sharedResources,
    });
  }

  private add(id: string, kind: ComponentKind, source: ComponentSource<Component>, parallelism: number): Entry {
    if (typeof source !== 'function') {
      // Thrown at once: an instance cannot be cloned per task, and the stack points here.
      throw new TopologyValidationError([
        `component '${id}' given to set${kind === 'spout' ? 'Spout' : 'Bolt'} is ${source === null ? 'null' : typeof source}: ` +
          `pass a class or a factory function that returns a new instance, not an instance`,
      ]);
    }
    const entry: Entry = { id, kind, source, parallelism, config: {}, inputs: [], groupings: new Map() };
    // The first declaration stands; a duplicate gets a detached entry so chaining still works.
    if (!this.entries.has(id)) this.entries.set(id, entry);
    else this.problems.push(`duplicate component id '${id}': set${kind === 'spout' ? 'Spout' : 'Bolt'} called again with it`);
    return entry;
  }
}
