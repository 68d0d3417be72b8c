/**
 * The DSL a topology file uses (Storm's TopologyBuilder). It only records what the user
 * wrote (declarers.ts); `build()` instantiates each source once to read what it declares
 * (inspect.ts) and turns that into a frozen plain-data plan, and the checks across
 * components run on that plan in validate.ts.
 */
import type { BasicBolt, Bolt, Component, ComponentSource, Spout } from '../api/components.js';
import type { CustomGroupingSource, CustomStreamGrouping } from '../api/grouping.js';
import type { TaskHook, TaskHookFactory } from '../api/hooks.js';
import type { SharedResourceSpec } from '../api/resources.js';
import { WINDOW_CONFIG_KEY, windowSpecOf } from '../api/windowed.js';
import { STATE_CONFIG_KEY, stateSpecOf } from '../api/stateful.js';
import { BoltDeclarerImpl, SpoutDeclarerImpl, type BoltDeclarer, type Entry, type SpoutDeclarer } from './declarers.js';
import { TopologyValidationError } from './errors.js';
import { copyConfig, freezeDeep, inspectComponent, inspectGroupings } from './inspect.js';
import type { ComponentDef, ComponentKind, Plan } from './plan.js';
import { instantiate, type Topology } from './topology.js';
import { validatePlan } from './validate.js';

export type { BoltDeclarer, ComponentDeclarer, SpoutDeclarer } from './declarers.js';

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
