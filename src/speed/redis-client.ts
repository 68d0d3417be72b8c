/**
 * The Redis clients views are read and written through: one Redis (a URL) or a Redis Cluster
 * (a list of node URLs; any reachable node is enough to discover the others). Both fail
 * commands at once while disconnected instead of queueing them, so a writer sees an outage
 * and holds its tuples, and both reconnect by themselves.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { RedisUsageError } from './redis-errors.js';
import { clusterNodeOptions, maskUrl, redisOptionsFromUrl } from './redis-url.js';

export type RedisClient = Redis | Cluster;

/** Where views live: one Redis, or the nodes of a cluster. */
export type RedisTarget = { readonly url: string } | { readonly cluster: readonly string[] };

export interface ClientOptions {
  /** A command with no reply within this long fails. Default 10 s. */
  readonly commandTimeoutMs?: number;
  /** Extra ioredis options for the (node) connections. */
  readonly redisOptions?: RedisOptions;
}

/**
 * Parse a `--redis-cluster` list: node URLs separated by commas (repeated flags are joined
 * first). Every node must be a redis:// or rediss:// URL without a database number (a
 * cluster has only database 0); throws naming the bad entry, password masked.
 */
export function parseClusterUrls(list: string | readonly string[]): string[] {
  const items = (typeof list === 'string' ? [list] : list).flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new RedisUsageError('--redis-cluster needs at least one node URL (redis://host:port[,redis://host:port...])');
  for (const url of items) {
    const o = redisOptionsFromUrl(url);
    if (o.db !== undefined && o.db !== 0) throw new RedisUsageError(`cluster node '${maskUrl(url)}': a Redis Cluster has only database 0, drop '/${o.db}'`);
  }
  return items;
}

/** Cluster client options shared by the view store, the serving layer and the start-up check. */
function clusterOptionsOf(urls: readonly string[], o: ClientOptions): ConstructorParameters<typeof Cluster>[1] {
  return {
    redisOptions: {
      // The first URL's credentials and TLS settings apply to every node (one cluster, one ACL).
      ...clusterNodeOptions(urls[0]!),
      maxRetriesPerRequest: 0,
      commandTimeout: o.commandTimeoutMs ?? 10_000,
      connectTimeout: 2000,
      ...o.redisOptions,
    },
    enableOfflineQueue: false,
    // No auto-pipelining: a MOVED reply inside an auto-pipeline fails the command instead of
    // redirecting it (found when a node restarted). The slot calls of a flush are issued
    // together anyway, so they share each node's connection in flight.
    clusterRetryStrategy: (times) => Math.min(50 * times, 1000),
    // Generous: on a loaded machine a refresh that times out is an error event and a retry.
    slotsRefreshTimeout: 5000,
  };
}

export function clusterNodesOf(urls: readonly string[]): Array<{ host: string; port: number }> {
  return urls.map((u) => {
    const o = redisOptionsFromUrl(u);
    return { host: o.host!, port: o.port! };
  });
}

/** Open a client for the target; errors surface through failed commands (no unhandled 'error' logging). */
export function openClient(target: RedisTarget, o: ClientOptions = {}): RedisClient {
  let client: RedisClient;
  if ('cluster' in target) {
    client = new Cluster(clusterNodesOf(target.cluster), clusterOptionsOf(target.cluster, o));
  } else {
    client = new Redis({
      ...redisOptionsFromUrl(target.url),
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: o.commandTimeoutMs ?? 10_000,
      // Reconnect forever, at most every 1 s: an outage ends when Redis is back.
      retryStrategy: (times) => Math.min(50 * times, 1000),
      ...o.redisOptions,
    });
  }
  client.on('error', () => {});
  return client;
}

/**
 * Resolves once the client is ready. One Redis: rejects on the first error before that. A
 * cluster: its 'error' events are often passing (a slots refresh that timed out on a loaded
 * machine, one node not answering yet) and it retries by itself, so it rejects only when the
 * client gives up ('end') or after `timeoutMs`, with the last error seen.
 */
export async function clientReady(client: RedisClient, timeoutMs = 30_000): Promise<void> {
  if (client.status === 'ready') return;
  const cluster = client instanceof Cluster;
  await new Promise<void>((resolve, reject) => {
    let last: unknown = null;
    const done = (err: unknown): void => {
      clearTimeout(timer);
      client.off('ready', ok).off('error', ko).off('end', end);
      if (err === null) resolve();
      else reject(err instanceof Error ? err : new Error(String(err)));
    };
    const ok = (): void => done(null);
    const ko = (err: unknown): void => {
      last = err;
      if (!cluster) done(err);
    };
    const end = (): void => done(last ?? new Error('connection ended'));
    const timer = setTimeout(() => done(last ?? new Error(`not ready within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
    client.on('ready', ok).on('error', ko).on('end', end);
  });
}

/** Printable form of a target (passwords masked). */
export function displayTarget(target: RedisTarget): string {
  return 'cluster' in target ? `${target.cluster.map(maskUrl).join(',')} (Redis Cluster)` : maskUrl(target.url);
}
