/**
 * The logical plan: plain, JSON-serialisable data. The builder produces it, validation and
 * the system rewrite (acker, ticks) transform it, the scheduler turns it into tasks.
 * Nothing here knows about threads.
 */

export type Grouping =
  | { readonly type: 'shuffle' }
  | { readonly type: 'localOrShuffle' }
  | { readonly type: 'fields'; readonly fields: readonly string[] }
  | { readonly type: 'partialKey'; readonly fields: readonly string[] }
  | { readonly type: 'all' }
  | { readonly type: 'global' }
  | { readonly type: 'direct' }
  /** The user's CustomStreamGrouping, built by each emitting task from `Topology.createGrouping(key)`. */
  | { readonly type: 'custom'; readonly key: string }
  /** System grouping: route by the tuple's first value, a tree root id, to the acker of its spout task. */
  | { readonly type: 'ackerRoot' };

export type GroupingType = Grouping['type'];

export interface StreamDef {
  readonly id: string;
  readonly fields: readonly string[];
  readonly direct: boolean;
}

export interface InputDef {
  readonly component: string;
  readonly stream: string;
  readonly grouping: Grouping;
}

export type ComponentKind = 'spout' | 'bolt';

export interface ComponentDef {
  readonly id: string;
  readonly kind: ComponentKind;
  /** True for a bolt given as a BasicBolt (anchoring and acking done by the runtime). */
  readonly basic: boolean;
  readonly parallelism: number;
  /** Output streams by id, in declaration order. */
  readonly streams: Readonly<Record<string, StreamDef>>;
  readonly inputs: readonly InputDef[];
  /** Per-component configuration (e.g. tickFrequencyMs). */
  readonly config: Readonly<Record<string, unknown>>;
  /** Added by the system rewrite (acker); not part of the user's topology. */
  readonly system: boolean;
}

export interface Plan {
  readonly name: string;
  /** Components in the order they were declared (system components last). */
  readonly components: readonly ComponentDef[];
  /** The topology file's own configuration. */
  readonly config: Readonly<Record<string, unknown>>;
}

export function componentById(plan: Plan, id: string): ComponentDef | undefined {
  return plan.components.find((c) => c.id === id);
}
