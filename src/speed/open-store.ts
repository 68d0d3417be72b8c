/**
 * Which store a writer (or a query) uses, from the merged config: `redisCluster` (node URLs,
 * set by `topo run --redis-cluster`) opens a Redis Cluster, `redis` (a URL, set by `topo run`
 * once it has resolved the connection, see connect.ts) opens Redis; otherwise
 * `viewStore: 'memory'` asks for the in-process store. The config reaches every worker
 * thread, so each thread opens its own client (or its own memory store).
 */
import type { Config } from '../api/components.js';
import { MemoryViewStore } from './memory-store.js';
import { parseClusterUrls } from './redis-client.js';
import { RedisViewStore } from './redis-store.js';
import type { ViewStore } from './store.js';

export interface OpenedStore {
  readonly store: ViewStore;
  /** Set when the choice deserves a line on stderr (memory store without being asked for it). */
  readonly warning?: string;
}

/** Open the view store the config names; `namespace` prefixes every key. */
export function openStore(config: Config, namespace: string): OpenedStore {
  const url = config['redis'];
  const cluster = config['redisCluster'];
  const commandTimeoutMs = typeof config['redisCommandTimeoutMs'] === 'number' ? config['redisCommandTimeoutMs'] : undefined;
  const options = { namespace, ...(commandTimeoutMs !== undefined ? { commandTimeoutMs } : {}) };
  if (cluster !== undefined && cluster !== null) {
    if (!Array.isArray(cluster) || cluster.length === 0 || !cluster.every((u) => typeof u === 'string')) {
      throw new Error(`config 'redisCluster' must be a non-empty list of node URLs, got ${Array.isArray(cluster) ? `a list of ${cluster.length}` : typeof cluster} (values not shown: they may hold passwords)`);
    }
    return { store: RedisViewStore.open({ cluster: parseClusterUrls(cluster as string[]) }, options) };
  }
  if (typeof url === 'string' && url.length > 0) return { store: RedisViewStore.open(url, options) };
  if (config['viewStore'] === 'memory') return { store: new MemoryViewStore() };
  return {
    store: new MemoryViewStore(),
    warning: "no 'redis' in config: realtime views are kept in this task's memory for this run only",
  };
}

/** Wait until a store can take writes, at most `ms` (a store still down is retried by the writer). */
export async function settle(store: ViewStore, ms: number): Promise<void> {
  if (!(store instanceof RedisViewStore)) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    store.ready().catch(() => undefined),
    new Promise<void>((r) => (timer = setTimeout(r, ms))),
  ]);
  clearTimeout(timer);
}
