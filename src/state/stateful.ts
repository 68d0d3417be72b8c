/**
 * `stateful(UserBolt, options)`: turns a StatefulBolt into a component source the builder
 * accepts with `setBolt`. The returned factory carries the plain-data spec (for the plan
 * and its build-time checks); each call builds the runtime wrapper around a fresh user bolt.
 */
import type { Bolt, ComponentFactory, ComponentSource } from '../api/components.js';
import { STATE_SPEC, type StatefulBolt, type StateOptions, type StateSpec } from '../api/stateful.js';
import { instantiate } from '../topology/topology.js';
import { StatefulBoltRunner } from './state-bolt.js';

export const DEFAULT_CHECKPOINT_INTERVAL_MS = 1000;
export const DEFAULT_CHECKPOINT_EVERY_INPUTS = 500;

/** The plan's form of the options; values are kept as written, validate-state.ts judges them. */
export function toStateSpec(options: StateOptions | undefined): StateSpec {
  const o = options ?? {};
  return {
    checkpointIntervalMs: o.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS,
    checkpointEveryInputs: o.checkpointEveryInputs ?? DEFAULT_CHECKPOINT_EVERY_INPUTS,
    ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
    ...(o.idField !== undefined ? { idField: o.idField } : {}),
    ...(o.dedupeRetentionMs !== undefined ? { dedupeRetentionMs: o.dedupeRetentionMs } : {}),
  };
}

/**
 * A stateful bolt for `builder.setBolt(id, stateful(MyStatefulBolt, options), parallelism)`:
 * its keyed state is restored from the last checkpoint before the first tuple and
 * checkpointed every `checkpointIntervalMs`; see {@link StateOptions} and docs/state.md.
 * Problems in `options` are reported by `build()`, naming the bolt.
 *
 * @example
 * builder.setBolt('count', stateful(WordCount, { checkpointIntervalMs: 500 }), 2)
 *   .fieldsGrouping('split', ['word']);
 */
export function stateful(source: ComponentSource<StatefulBolt>, options?: StateOptions): ComponentFactory<Bolt> {
  const spec = toStateSpec(options);
  const factory = (): Bolt => new StatefulBoltRunner(instantiate(source), spec);
  Object.defineProperty(factory, STATE_SPEC, { value: spec, enumerable: false });
  return factory;
}
