// Public exports of view definitions (shared by the speed layer, the batch layer and queries).
export { defineView, bucketOf, bucketsBetween, updateOf, HOUR_MS, DAY_MS } from './view.js';
export type { ViewDef, ViewOptions, ViewUpdate, Aggregation } from './view.js';
export { viewPrefix, bucketId, parseBucketId, valueKey, idsKey, topKey, keysKey, lateKey } from './keys.js';
