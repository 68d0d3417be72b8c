// Public exports of view definitions (shared by the speed layer, the batch layer and queries).
export { defineView, bucketOf, bucketsBetween, updateOf, HOUR_MS, DAY_MS } from './view.js';
export type { ViewDef, ViewOptions, ViewUpdate, Aggregation, AggregationSpecs } from './view.js';
export { viewPrefix, bucketId, parseBucketId, valueKey, idsKey, topKey, keysKey, bucketsKey, lateKey, bucketIdsKey } from './keys.js';
export { registerKind, kindOf, registeredKinds, aggregatorOf, PER_COMMAND } from './kinds/index.js';
export type { AggregationKind, Aggregator, BucketAt, BucketRead, Cell, CommandSink, KindLua, ReadCommand, UpdateBase, ViewValue, CountSpec, SumSpec, DistinctSpec, CountersSpec } from './kinds/index.js';
