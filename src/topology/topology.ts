/**
 * What `TopologyBuilder.build()` returns and a topology file default-exports: the validated
 * plain-data plan plus the component sources (classes or factories) that each worker thread
 * uses to build its own task instances.
 */
import type { Component, ComponentSource } from '../api/components.js';
import type { CustomStreamGrouping } from '../api/grouping.js';
import type { TaskHook } from '../api/hooks.js';
import type { SharedResourceSpec } from '../api/resources.js';
import type { Plan } from './plan.js';

export interface Topology {
  /** Marker so loaders can recognise a topology without `instanceof`. */
  readonly kind: 'topo.topology';
  readonly name: string;
  /** Validated logical plan (user components only; the acker is added at submit). */
  readonly plan: Plan;
  /** A fresh instance of a component; each task gets its own. */
  create(componentId: string): Component;
  /** A fresh instance of the custom grouping registered under `key` (a plan's `custom` grouping); each emitting task gets its own. */
  createGrouping(key: string): CustomStreamGrouping;
  /** Fresh instances of the topology-wide task hooks (builder.addTaskHook), for one task. */
  createTaskHooks(): TaskHook[];
  /** The per-thread shared resources (builder.addSharedResource), by name. */
  readonly sharedResources: ReadonlyMap<string, SharedResourceSpec>;
}

export function isTopology(value: unknown): value is Topology {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'topo.topology';
}

/** Instantiate a class or call a factory (classes are told apart by their source text). */
export function instantiate<T>(source: ComponentSource<T>): T {
  const isClass = /^class[\s{]/.test(Function.prototype.toString.call(source));
  return isClass ? new (source as new () => T)() : (source as () => T)();
}
