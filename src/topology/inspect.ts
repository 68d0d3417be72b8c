/**
 * What `build()` learns by instantiating each source once (its output streams, whether a bolt
 * is basic, its own default configuration, whether a custom grouping is one), and how the
 * plan is copied and frozen. Problems are returned as messages, to be reported together.
 */
import type { Component, ComponentSource } from '../api/components.js';
import type { OutputFieldsDeclarer } from '../api/declarer.js';
import type { CustomStreamGrouping } from '../api/grouping.js';
import { DEFAULT_STREAM } from '../api/tuple.js';
import type { Entry } from './declarers.js';
import type { ComponentKind, StreamDef } from './plan.js';
import { instantiate } from './topology.js';

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Instantiate a component once to read its output streams and tell its kind. Problems are
 * returned, not thrown, so that they are reported along with the plan's.
 */
export function inspectComponent(id: string, kind: ComponentKind, source: ComponentSource<Component>) {
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
export function inspectGroupings(entry: Entry): string[] {
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
export function isBasic(instance: Record<string, unknown>): boolean {
  if (typeof instance.isBasicBolt === 'boolean') return instance.isBasicBolt;
  return typeof instance.prepare !== 'function';
}

/** A deep copy for the plan, so freezing it never freezes the user's own objects. */
export function copyConfig(config: Readonly<Record<string, unknown>>): Record<string, unknown> {
  try {
    return structuredClone({ ...config });
  } catch {
    return { ...config }; // holds a function or the like: validation reports it by key
  }
}

export function freezeDeep<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) freezeDeep(inner);
    Object.freeze(value);
  }
  return value;
}
