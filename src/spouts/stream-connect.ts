/**
 * Where a stream lives, chosen in one place (the contract with `--redis-cluster`):
 *   1. config `stream.redis` (a redis:// URL) when given: the stream may live apart from the views;
 *   2. else config `redis` (what `topo run --redis` or the private server put there);
 *   3. else config `redisCluster` (node URLs from `--redis-cluster`): an ioredis Cluster. A
 *      stream is one key, so every stream command goes to one slot and works in a cluster.
 * Anything else is an error naming the keys, so a run never silently reads nothing.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Config } from '../api/components.js';
import { clusterNodeOptions, maskUrl, redisOptionsFromUrl } from '../speed/redis-url.js';

export type StreamClient = Redis | Cluster;

export interface StreamTarget {
  readonly kind: 'url' | 'cluster';
  /** One URL, or the cluster's seed node URLs. */
  readonly urls: readonly string[];
  /** For messages: URLs with passwords masked. */
  readonly display: string;
}

/** Which Redis the stream is on, from the merged config (see the file comment). */
export function streamTarget(config: Config): StreamTarget {
  for (const key of ['stream.redis', 'redis'] as const) {
    const v = config[key];
    if (v === undefined || v === null || v === '') continue;
    if (typeof v !== 'string') throw new Error(`config '${key}' must be a redis:// URL, got a ${Array.isArray(v) ? 'list' : typeof v} (value not shown: it may hold a password)`);
    redisOptionsFromUrl(v); // throws naming the (masked) URL
    return { kind: 'url', urls: [v], display: maskUrl(v) };
  }
  const c = config['redisCluster'];
  if (c !== undefined && c !== null) {
    const urls = typeof c === 'string' ? c.split(',').filter((s) => s !== '') : c;
    if (!Array.isArray(urls) || urls.length === 0 || urls.some((u) => typeof u !== 'string')) {
      throw new Error(`config 'redisCluster' must be a list of redis:// node URLs, got ${Array.isArray(c) ? `a list of ${c.length}` : `a ${typeof c}`} (values not shown: they may hold passwords)`);
    }
    for (const u of urls as string[]) redisOptionsFromUrl(u);
    return { kind: 'cluster', urls: urls as string[], display: (urls as string[]).map(maskUrl).join(',') };
  }
  throw new Error("no Redis for the stream: set -c stream.redis=redis://HOST:PORT, or run with --redis URL (or --redis-cluster)");
}

/**
 * A client for the target. Commands fail after `commandTimeoutMs` rather than hanging, and
 * the client reconnects by itself; blocking reads get their own client (see the spout).
 */
export function connectStream(target: StreamTarget, extra: RedisOptions = {}): StreamClient {
  const common: RedisOptions = {
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(50 * times, 1000),
    ...extra,
  };
  let client: StreamClient;
  if (target.kind === 'url') {
    client = new Redis({ ...redisOptionsFromUrl(target.urls[0]!), ...common });
  } else {
    const nodes = target.urls.map((u) => {
      const o = redisOptionsFromUrl(u);
      return { host: o.host!, port: o.port! };
    });
    client = new Cluster(nodes, { redisOptions: { ...clusterNodeOptions(target.urls[0]!), ...common } });
  }
  // Errors surface through the failed commands; without a listener ioredis logs each one.
  client.on('error', () => {});
  return client;
}
