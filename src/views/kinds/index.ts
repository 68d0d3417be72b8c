/**
 * The registry of aggregation kinds: the four built in (count, sum, distinct, counters) and
 * any an application registers. A view names its kind (`aggregation.kind`); defineView
 * checks it here, and every layer binds the view's spec once (`aggregatorOf`) and calls the
 * result. Register a kind in a module the topology imports, before the views that use it are
 * defined: every worker thread and batch pool thread imports the topology, so each registers
 * it too, and the Redis flush script (src/speed/apply-lua.ts) is built from what is
 * registered when a store first flushes.
 */
import type { Aggregator, AggregationKind } from './kind.js';
import { countKind } from './count.js';
import { sumKind } from './sum.js';
import { distinctKind } from './distinct.js';
import { countersKind } from './counters.js';

const kinds = new Map<string, AggregationKind>();
let version = 0;

/**
 * The name is the kind's record code in the flush script, so it must be a plain identifier of
 * two or more characters (the script's own records are single letters).
 */
const NAME = /^[a-z][a-z0-9_]{1,31}$/;

/** Add a kind; throws when its name is malformed or taken by another kind. */
export function registerKind(kind: AggregationKind): void {
  if (!NAME.test(kind.name)) throw new Error(`aggregation kind name '${kind.name}' must match ${NAME}`);
  const had = kinds.get(kind.name);
  if (had === kind) return;
  if (had !== undefined) throw new Error(`aggregation kind '${kind.name}' is already registered`);
  kinds.set(kind.name, kind);
  version++;
}

/** The kind named `name`; throws listing the registered ones. */
export function kindOf(name: string): AggregationKind {
  const k = kinds.get(name);
  if (k === undefined) throw new Error(`unknown aggregation kind '${name}' (registered: ${[...kinds.keys()].join(', ')})`);
  return k;
}

/** Every registered kind, in registration order. */
export function registeredKinds(): readonly AggregationKind[] {
  return [...kinds.values()];
}

/** Bumped by every registration: what the flush script was built from is stale once it moves. */
export function kindsVersion(): number {
  return version;
}

const bound = new WeakMap<object, Aggregator>();

/**
 * The bound aggregator of a view's spec, made once per spec object: callers keep it (a
 * view's per-event code never comes back here).
 */
export function aggregatorOf(spec: { readonly kind: string }): Aggregator {
  let a = bound.get(spec);
  if (a === undefined) bound.set(spec, (a = kindOf(spec.kind).bind(spec)));
  return a;
}

for (const k of [countKind, sumKind, distinctKind, countersKind]) registerKind(k as AggregationKind);

export type { Aggregator, AggregationKind, BucketAt, BucketRead, Cell, CellTable, CommandSink, KindLua, ReadCommand, UpdateBase, ViewValue } from './kind.js';
export { PER_COMMAND } from './kind.js';
export type { CountSpec } from './count.js';
export type { SumSpec } from './sum.js';
export type { DistinctSpec } from './distinct.js';
export type { CountersSpec } from './counters.js';
