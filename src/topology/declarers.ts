/**
 * What the builder's setters return (Storm's SpoutDeclarer, BoltDeclarer): the per-component
 * settings and the input groupings a topology file declares, recorded as they are written in
 * the builder's entry for the component. Whether they make sense is validate.ts's job.
 */
import type { Component, ComponentSource } from '../api/components.js';
import { customGroupingKey, type CustomGroupingSource } from '../api/grouping.js';
import { DEFAULT_STREAM } from '../api/tuple.js';
import type { ComponentKind, Grouping, InputDef } from './plan.js';

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
export interface Entry {
  readonly id: string;
  readonly kind: ComponentKind;
  readonly source: ComponentSource<Component>;
  readonly parallelism: number;
  readonly config: Record<string, unknown>;
  readonly inputs: InputDef[];
  /** Custom groupings of this bolt's inputs, by plan key. */
  readonly groupings: Map<string, CustomGroupingSource>;
}

export class ComponentDeclarerImpl implements ComponentDeclarer {
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

export class SpoutDeclarerImpl extends ComponentDeclarerImpl implements SpoutDeclarer {
  setMaxSpoutPending(n: number): this {
    return this.addConfiguration('maxSpoutPending', n);
  }
}

export class BoltDeclarerImpl extends ComponentDeclarerImpl implements BoltDeclarer {
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
