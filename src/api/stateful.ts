/**
 * What users implement and configure for stateful bolts (Storm's IStatefulBolt with a
 * KeyValueState). The execution and the checkpoints live in src/state; this file holds the
 * shapes, plus the plain-data spec the builder copies into the plan for build-time checks.
 */
import type { Config } from './components.js';
import type { TopologyContext } from './context.js';
import type { OutputFieldsDeclarer } from './declarer.js';
import type { Tuple } from './tuple.js';

/**
 * A value state may hold: what survives JSON unchanged (null, booleans, finite numbers,
 * strings, arrays and plain objects of those). A `Map`, `Set`, `Date`, class instance,
 * `undefined`, NaN, bigint or function is refused at the `put` that stores it.
 */
export type StateValue = null | boolean | number | string | StateValue[] | { [field: string]: StateValue };

/**
 * Keyed state of one bolt task, restored from its last checkpoint before the first tuple.
 * Keys are strings. Values are live: after changing an object you got, `put` it again so
 * the next checkpoint writes it (a change without `put` is not seen).
 */
export interface KeyValueState {
  get<T extends StateValue = StateValue>(key: string): T | undefined;
  get<T extends StateValue = StateValue>(key: string, defaultValue: T): T;
  has(key: string): boolean;
  put(key: string, value: StateValue): void;
  /** Removes the key; returns whether it was there. */
  delete(key: string): boolean;
  /** Counter: adds `by` (default 1) to the number under `key` (0 when absent) and returns it. */
  increment(key: string, by?: number): number;
  /** Map: sets one field of the plain object under `key` (created when absent). */
  putField(key: string, field: string, value: StateValue): void;
  getField<T extends StateValue = StateValue>(key: string, field: string): T | undefined;
  /** Map: removes one field; the key is deleted when its object becomes empty. */
  deleteField(key: string, field: string): boolean;
  keys(): IterableIterator<string>;
  readonly size: number;
}

/** How a stateful bolt emits: anchored to the input being executed, as a basic bolt's. */
export interface StatefulOutputCollector {
  emit(values: unknown[], stream?: string): void;
  emitDirect(taskId: number, values: unknown[], stream?: string): void;
  reportError(error: unknown): void;
}

/**
 * A bolt whose keyed state is checkpointed (Storm's IStatefulBolt). `initState` runs after
 * `prepare` and before any tuple with the state of the last checkpoint. `execute` must be
 * synchronous: it changes the state and emits; when it returns, the input is held and acked
 * only once a checkpoint holding its changes has been committed. A throw undoes the state
 * changes that execute made and fails the input (a reliable spout replays it).
 */
export interface StatefulBolt {
  declareOutputFields?(declarer: OutputFieldsDeclarer): void;
  prepare?(config: Config, context: TopologyContext): void | Promise<void>;
  initState(state: KeyValueState): void;
  execute(tuple: Tuple, collector: StatefulOutputCollector): void;
  /**
   * Called on every tick (the checkpoint interval) before the checkpoint: for work driven
   * by time, such as closing sessions. Its state changes are committed like an input's
   * (undone if it throws); its emits are unanchored.
   */
  onTick?(collector: StatefulOutputCollector): void;
  /**
   * With `idField`: called instead of `execute` for a replay of an input the state already
   * holds, to emit again what does not depend on the state change (the emits of its first
   * execution may have been lost with its tree). It must not change the state (a change
   * throws). Without it, a recognised replay emits nothing.
   */
  replayed?(tuple: Tuple, collector: StatefulOutputCollector): void;
  /** Called before checkpoint `txid` is taken (Storm's preCommit). */
  preCommit?(txid: number): void;
  finish?(collector: StatefulOutputCollector): void | Promise<void>;
  cleanup?(): void | Promise<void>;
}

/** Base class with no-op defaults (Storm's BaseStatefulBolt). */
export abstract class BaseStatefulBolt implements StatefulBolt {
  declareOutputFields(_declarer: OutputFieldsDeclarer): void {}
  abstract initState(state: KeyValueState): void;
  abstract execute(tuple: Tuple, collector: StatefulOutputCollector): void;
}

export interface StateOptions {
  /**
   * How often a checkpoint is taken (a tick tuple); default 1000 ms. Inputs wait for the
   * checkpoint that holds their changes before they are acked, so `messageTimeoutMs` must
   * be at least twice this (checked by `build()` and again by `topo run`).
   */
  readonly checkpointIntervalMs?: number;
  /**
   * Take a checkpoint as soon as this many inputs wait for one (default 500): held inputs
   * count against `maxSpoutPending`, so waiting for the interval alone would cap throughput.
   */
  readonly checkpointEveryInputs?: number;
  /** Key namespace in Redis (default: config `stateNamespace`, else the topology name). */
  readonly namespace?: string;
  /**
   * A field every input carries that identifies its event across replays (an event id).
   * With it, a replay of an input the state already holds is not executed again: it is
   * held and acked with the next checkpoint, and emits nothing. The ids are checkpointed
   * with the state and kept for `dedupeRetentionMs` of run time. Without it, an input whose
   * tree fails after this bolt applied it (another thread of the tree died, a failure
   * downstream) is applied again when it replays (at-least-once state, as Storm's).
   */
  readonly idField?: string;
  /** How long applied ids are remembered, in run time (default: twice `messageTimeoutMs`). */
  readonly dedupeRetentionMs?: number;
}

/** Where the builder keeps a stateful bolt's spec in the component's config. */
export const STATE_CONFIG_KEY = 'topo.state';

/** The plain-data form of `StateOptions` recorded in the plan; validate-state.ts checks it. */
export interface StateSpec {
  readonly checkpointIntervalMs: number;
  readonly checkpointEveryInputs: number;
  readonly namespace?: string;
  readonly idField?: string;
  readonly dedupeRetentionMs?: number;
}

/** The marker `stateful()` puts on its factory; a registry symbol so a bundle's second copy still matches. */
export const STATE_SPEC = Symbol.for('topo.stateSpec');

/** The spec attached to a component source by `stateful()`, if any. */
export function stateSpecOf(source: unknown): StateSpec | undefined {
  if (typeof source !== 'function') return undefined;
  return (source as unknown as Record<symbol, StateSpec | undefined>)[STATE_SPEC];
}
