/**
 * Where realtime views live for one command, resolved once in the main thread:
 *   1. a Redis Cluster (`--redis-cluster URL[,URL...]`, else REDIS_CLUSTER_URLS) or one Redis
 *      (`--redis URL`, else REDIS_URL); a flag beats the environment, and giving both kinds
 *      at the same level is an error (which one was meant is not guessable);
 *   2. else the private redis-server when the binary is installed, started if it is not
 *      running and left running for the next command (see private-redis.ts);
 *   3. else the in-process store, with a warning line for the caller to print.
 * The result's `config` is what the command merges into the topology config (`redis`,
 * `redisCluster` or `viewStore`), so every worker thread's writer opens the same store.
 */
import { displayTarget, parseClusterUrls, type RedisTarget } from './redis-client.js';
import { RedisUsageError } from './redis-errors.js';
import { leasePrivateRedis } from './private-lease.js';
import { findPrivateRedis, hasRedisServer } from './private-redis.js';
import { withTlsFlags, tlsFlagsGiven, type RedisTlsFlags } from './redis-tls.js';
import { maskUrl, redisOptionsFromUrl } from './redis-url.js';
import { waitForCluster, waitForRedis } from './wait-redis.js';

export { waitForCluster, waitForRedis };

export interface ConnectOptions {
  /** `--redis URL`. */
  readonly url?: string;
  /** `--redis-cluster URL[,URL...]` (node URLs; one node is enough to find the others). */
  readonly cluster?: string | readonly string[];
  /** Environment to read REDIS_URL and REDIS_CLUSTER_URLS from (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Folder holding `.topo/redis` (default process.cwd()). */
  readonly cwd?: string;
  /** How long to retry an unreachable Redis at start (default 30 s, `--redis-timeout`). */
  readonly redisTimeoutMs?: number;
  /** The redis-server binary (default `redis-server` on PATH). */
  readonly redisServerBin?: string;
  /** `--redis-tls-*`: added to the URL (or every cluster node URL) as its TLS query parameters (see redis-tls.ts). */
  readonly tls?: RedisTlsFlags;
}

export interface ViewConnection {
  readonly mode: 'url' | 'cluster' | 'private' | 'memory';
  /** The URL writers connect to (null for a cluster and for memory); contains the password: never print it. */
  readonly url: string | null;
  /** The cluster's node URLs (mode 'cluster', else null); contain the password: never print them. */
  readonly cluster: readonly string[] | null;
  /** What to open (a URL or cluster nodes), null for memory. */
  readonly target: RedisTarget | null;
  /** Printable description (password masked). */
  readonly display: string;
  /** A line for stderr when views will not persist (memory mode), else null. */
  readonly warning: string | null;
  /** Merge into the topology config: `{ redis: url }`, `{ redisCluster: urls }` or `{ viewStore: 'memory' }`. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Call when the command ends (a private server stays up for the next command, see private-redis.ts; its lease ends here). */
  release(): Promise<void>;
}

export const DEFAULT_REDIS_TIMEOUT_MS = 30_000;

/** Resolve the view store for a command (see the file comment for the order). */
export async function connectViews(options: ConnectOptions = {}): Promise<ViewConnection> {
  const env = options.env ?? process.env;
  const timeout = options.redisTimeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
  const given = (s: string | readonly string[] | undefined): boolean => s !== undefined && (typeof s === 'string' ? s !== '' : s.length > 0);
  if (given(options.cluster) && given(options.url)) throw new RedisUsageError('give --redis or --redis-cluster, not both');
  const fromFlags = given(options.cluster) || given(options.url);
  const clusterList = fromFlags ? options.cluster : env['REDIS_CLUSTER_URLS'];
  const explicit = fromFlags ? options.url : env['REDIS_URL'];
  if (!fromFlags && given(clusterList) && given(explicit)) throw new RedisUsageError('both REDIS_URL and REDIS_CLUSTER_URLS are set: unset one (or pass --redis / --redis-cluster)');
  const cwd = options.cwd ?? process.cwd();
  if (clusterList !== undefined && given(clusterList)) {
    // Malformed URLs and unreadable TLS files fail now, not after the timeout.
    const nodes = parseClusterUrls(parseClusterUrls(clusterList).map((u) => withTlsFlags(u, options.tls, cwd)));
    await waitForCluster(nodes, timeout);
    const target = { cluster: nodes };
    return { mode: 'cluster', url: null, cluster: nodes, target, display: displayTarget(target), warning: null, config: { redisCluster: nodes }, release: async () => {} };
  }
  if (explicit !== undefined && explicit !== '') {
    redisOptionsFromUrl(explicit); // a malformed URL fails now, not after the timeout
    const url = withTlsFlags(explicit, options.tls, cwd);
    await waitForRedis(url, timeout);
    return { mode: 'url', url, cluster: null, target: { url }, display: maskUrl(url), warning: null, config: { redis: url }, release: async () => {} };
  }
  if (tlsFlagsGiven(options.tls)) throw new RedisUsageError('--redis-tls-* options need a rediss:// URL: give --redis rediss://host:port (or REDIS_URL), or --redis-cluster');
  const bin = options.redisServerBin ?? 'redis-server';
  // A running server answers at once; only without one is the binary looked for (a process spawn).
  const running = await findPrivateRedis(cwd);
  if (running !== null || hasRedisServer(bin)) {
    // It stays up after this command (private-redis.ts); the lease holds it up during it.
    const { server, release } = await leasePrivateRedis(cwd, bin, running);
    return {
      mode: 'private',
      url: server.url,
      cluster: null,
      target: { url: server.url },
      display: `${server.url} (private redis-server, data in ${server.dir}${server.started ? '' : ', already running'})`,
      warning: null,
      config: { redis: server.url },
      release: async () => release(),
    };
  }
  return {
    mode: 'memory',
    url: null,
    cluster: null,
    target: null,
    display: 'in-process view store',
    warning: 'no Redis (--redis, REDIS_URL) and no redis-server installed: realtime views are kept in memory for this run only',
    config: { viewStore: 'memory' },
    release: async () => {},
  };
}
