// Public exports of the speed layer (realtime views).
export type { ViewStore, StoreView, ViewValue, ViewValues, BucketValue, TopEntry, ApplyResult } from './store.js';
export { RedisViewStore } from './redis-store.js';
export type { RedisStoreOptions } from './redis-store.js';
export { MemoryViewStore } from './memory-store.js';
export type { MemorySnapshot } from './memory-store.js';
export { ViewWriterBolt, viewWriter, MEMORY_VIEWS_STREAM } from './view-writer-bolt.js';
export type { ViewWriterOptions } from './view-writer-bolt.js';
export { memoryViewReport, formatTopEntries } from './memory-report.js';
export type { MemoryReportOptions } from './memory-report.js';
export { openStore } from './open-store.js';
export { connectViews, waitForRedis, waitForCluster, DEFAULT_REDIS_TIMEOUT_MS } from './connect.js';
export type { ConnectOptions, ViewConnection } from './connect.js';
export { maskUrl, redisOptionsFromUrl } from './redis-url.js';
export { FlushProgress } from './flush-calls.js';
export { openClient, parseClusterUrls } from './redis-client.js';
export type { RedisClient, RedisTarget } from './redis-client.js';
export { keySlot } from './slot.js';
