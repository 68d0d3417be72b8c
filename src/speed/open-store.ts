/**
 * Which store a writer (or a query) uses, from the merged config: `redis` (a URL, set by
 * `topo run` once it has resolved the connection, see connect.ts) opens Redis; otherwise
 * `viewStore: 'memory'` asks for the in-process store. The config reaches every worker
 * thread, so each thread opens its own client (or its own memory store).
 */
import type { Config } from '../api/components.js';
import { MemoryViewStore } from './memory-store.js';
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
  if (typeof url === 'string' && url.length > 0) {
    const commandTimeoutMs = typeof config['redisCommandTimeoutMs'] === 'number' ? config['redisCommandTimeoutMs'] : undefined;
    return { store: RedisViewStore.open(url, { namespace, ...(commandTimeoutMs !== undefined ? { commandTimeoutMs } : {}) }) };
  }
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
