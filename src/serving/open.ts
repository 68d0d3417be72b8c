/**
 * Opening the serving layer for a command: the topology file's views (its `views` export;
 * the namespace is the topology's name) and one Redis connection to read them through.
 * `topo query|top|keys` open it for one answer, `topo serve` for its whole lifetime.
 */
import { loadTopologyFile } from '../runtime/loader.js';
import { connectViews } from '../speed/connect.js';
import { RedisSetupError } from '../speed/redis-errors.js';
import type { RedisTlsFlags } from '../speed/redis-tls.js';
import { RedisViewStore } from '../speed/redis-store.js';
import type { ViewDef } from '../views/view.js';
import { ServingLayer } from './query.js';

export interface ServedViews {
  readonly file: string;
  readonly namespace: string;
  readonly views: readonly ViewDef<never>[];
}

/** Load (bundle) the topology file and take its views. */
export async function loadServedViews(file: string): Promise<ServedViews> {
  const loaded = await loadTopologyFile(file, { sourceMaps: false });
  return { file, namespace: loaded.topology.name, views: loaded.views ?? [] };
}

/** No Redis to read from (unreachable, or none configured and no redis-server to start). */
export class ViewStoreUnavailableError extends Error {}

export interface OpenedServing {
  readonly serving: ServingLayer;
  /** Printable Redis location (password masked). */
  readonly display: string;
  /** Close the connection; stop a private redis-server this opened. */
  release(): Promise<void>;
}

export interface OpenOptions {
  /** `--redis URL` (default REDIS_URL, else the private redis-server). */
  readonly url?: string | undefined;
  /** `--redis-cluster URL[,URL...]` (default REDIS_CLUSTER_URLS). */
  readonly cluster?: string | readonly string[] | undefined;
  readonly redisTimeoutMs?: number | undefined;
  /** `--redis-tls-*` (see speed/redis-tls.ts). */
  readonly tls?: RedisTlsFlags | undefined;
}

/**
 * Resolve where the views live (see speed/connect.ts), connect, and wait for the
 * connection: the client fails commands while disconnected (no offline queue) and
 * reconnects by itself after an outage.
 */
export async function openServing(namespace: string, o: OpenOptions): Promise<OpenedServing> {
  const conn = await connectViews({
    ...(o.url !== undefined ? { url: o.url } : {}),
    ...(o.cluster !== undefined ? { cluster: o.cluster } : {}),
    ...(o.redisTimeoutMs !== undefined ? { redisTimeoutMs: o.redisTimeoutMs } : {}),
    ...(o.tls !== undefined ? { tls: o.tls } : {}),
    // A set-up error (bad URL or TLS file, wrong password) keeps its own exit code.
  }).catch((err: unknown) => { throw err instanceof RedisSetupError ? err : new ViewStoreUnavailableError((err as Error).message); });
  if (conn.target === null) {
    await conn.release();
    throw new ViewStoreUnavailableError('no Redis: give --redis URL or REDIS_URL (--redis-cluster or REDIS_CLUSTER_URLS for a cluster), or install redis-server (views of in-process runs are gone when the run ends)');
  }
  const store = RedisViewStore.open(conn.target, { namespace });
  try {
    await store.ready();
  } catch (err) {
    await store.close();
    await conn.release();
    throw new ViewStoreUnavailableError((err as Error).message);
  }
  return {
    serving: new ServingLayer(store.redis, namespace),
    display: conn.display,
    release: async () => {
      await store.close();
      await conn.release();
    },
  };
}
