/**
 * Where realtime views live for one command, resolved once in the main thread:
 *   1. a Redis Cluster (`--redis-cluster URL[,URL...]`, else REDIS_CLUSTER_URLS) or one Redis
 *      (`--redis URL`, else REDIS_URL); a flag beats the environment, and giving both kinds
 *      at the same level is an error (which one was meant is not guessable);
 *   2. else a private redis-server when the binary is installed (see private-redis.ts);
 *   3. else the in-process store, with a warning line for the caller to print.
 * The result's `config` is what the command merges into the topology config (`redis`,
 * `redisCluster` or `viewStore`), so every worker thread's writer opens the same store.
 */
import { Cluster, Redis } from 'ioredis';
import { clusterNodesOf, displayTarget, parseClusterUrls, type RedisTarget } from './redis-client.js';
import { hasRedisServer, startPrivateRedis, type PrivateRedis } from './private-redis.js';
import { maskUrl, redisOptionsFromUrl, scrubPassword } from './redis-url.js';

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
  /** Leave a private server this command started running when it ends. */
  readonly keep?: boolean;
  /** The redis-server binary (default `redis-server` on PATH). */
  readonly redisServerBin?: string;
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
  /** Call when the command ends: stops a private server it started unless `keep`. */
  release(): Promise<void>;
}

export const DEFAULT_REDIS_TIMEOUT_MS = 30_000;

/** Resolve the view store for a command (see the file comment for the order). */
export async function connectViews(options: ConnectOptions = {}): Promise<ViewConnection> {
  const env = options.env ?? process.env;
  const timeout = options.redisTimeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
  const given = (s: string | readonly string[] | undefined): boolean => s !== undefined && (typeof s === 'string' ? s !== '' : s.length > 0);
  if (given(options.cluster) && given(options.url)) throw new Error('give --redis or --redis-cluster, not both');
  const fromFlags = given(options.cluster) || given(options.url);
  const clusterList = fromFlags ? options.cluster : env['REDIS_CLUSTER_URLS'];
  const explicit = fromFlags ? options.url : env['REDIS_URL'];
  if (!fromFlags && given(clusterList) && given(explicit)) throw new Error('both REDIS_URL and REDIS_CLUSTER_URLS are set: unset one (or pass --redis / --redis-cluster)');
  if (clusterList !== undefined && given(clusterList)) {
    const nodes = parseClusterUrls(clusterList); // malformed URLs fail now, not after the timeout
    await waitForCluster(nodes, timeout);
    const target = { cluster: nodes };
    return { mode: 'cluster', url: null, cluster: nodes, target, display: displayTarget(target), warning: null, config: { redisCluster: nodes }, release: async () => {} };
  }
  if (explicit !== undefined && explicit !== '') {
    redisOptionsFromUrl(explicit); // a malformed URL fails now, not after the timeout
    await waitForRedis(explicit, timeout);
    return { mode: 'url', url: explicit, cluster: null, target: { url: explicit }, display: maskUrl(explicit), warning: null, config: { redis: explicit }, release: async () => {} };
  }
  const bin = options.redisServerBin ?? 'redis-server';
  if (hasRedisServer(bin)) {
    const server: PrivateRedis = await startPrivateRedis(options.cwd ?? process.cwd(), bin);
    let released = false;
    // Backstop: a command that exits without release() must not leave its server behind.
    const onExit = (): void => {
      if (!released && server.started && !options.keep) {
        try {
          process.kill(server.pid, 'SIGTERM');
        } catch {
          /* already gone */
        }
      }
    };
    process.once('exit', onExit);
    return {
      mode: 'private',
      url: server.url,
      cluster: null,
      target: { url: server.url },
      display: `${server.url} (private redis-server, data in ${server.dir}${server.started ? '' : ', reused'})`,
      warning: null,
      config: { redis: server.url },
      release: async () => {
        released = true;
        process.off('exit', onExit);
        if (!options.keep) await server.stop();
      },
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

/**
 * Resolve once `url` answers PING; retry with backoff (100 ms doubling to 2 s) until
 * `timeoutMs`, then throw an error naming the URL (password masked) and the last error.
 */
export async function waitForRedis(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let backoff = 100;
  let last: unknown = new Error('no attempt made');
  for (;;) {
    const left = deadline - Date.now();
    const client = new Redis({
      ...redisOptionsFromUrl(url),
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      connectTimeout: Math.max(100, Math.min(left, 2000)),
    });
    // connect() rejects with a bare "Connection is closed": the cause arrives as an 'error' event.
    let cause: unknown = null;
    client.on('error', (e: unknown) => (cause ??= e));
    try {
      await client.connect();
      await client.ping();
      client.disconnect();
      return;
    } catch (err) {
      last = cause ?? err;
      client.disconnect();
    }
    const wait = Math.min(backoff, deadline - Date.now());
    if (wait <= 0) break;
    await new Promise((r) => setTimeout(r, wait));
    backoff = Math.min(backoff * 2, 2000);
  }
  const why = scrubPassword(last instanceof Error ? last.message : String(last), url);
  throw new Error(`cannot reach Redis at ${maskUrl(url)} within ${timeoutMs} ms: ${why}`);
}

/**
 * Resolve once the cluster answers through any of `urls` and reports `cluster_state:ok`;
 * retry with backoff until `timeoutMs`, then throw an error naming the nodes (passwords
 * masked) and the last error.
 */
export async function waitForCluster(urls: readonly string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const first = redisOptionsFromUrl(urls[0]!);
  let backoff = 100;
  let last: unknown = new Error('no attempt made');
  for (;;) {
    const left = deadline - Date.now();
    const client = new Cluster(clusterNodesOf(urls), {
      lazyConnect: true,
      enableOfflineQueue: false,
      clusterRetryStrategy: () => null,
      slotsRefreshTimeout: Math.max(100, Math.min(left, 5000)),
      redisOptions: {
        ...(first.username !== undefined ? { username: first.username } : {}),
        ...(first.password !== undefined ? { password: first.password } : {}),
        ...(first.tls !== undefined ? { tls: first.tls } : {}),
        maxRetriesPerRequest: 0,
        connectTimeout: Math.max(100, Math.min(left, 2000)),
      },
    });
    let cause: unknown = null;
    client.on('error', (e: unknown) => (cause ??= e));
    let timer: NodeJS.Timeout | undefined;
    try {
      // connect() may wait for a cluster that is not ready yet: bound each attempt.
      const info = await Promise.race([
        client.connect().then(() => client.cluster('INFO') as Promise<string>),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no answer')), Math.max(200, Math.min(left, 5000))))),
      ]);
      if (/cluster_state:ok/.test(info)) {
        client.disconnect();
        return;
      }
      last = new Error(`cluster_state is not ok (${/cluster_state:(\w+)/.exec(info)?.[1] ?? 'unknown'})`);
    } catch (err) {
      last = cause ?? err;
    } finally {
      clearTimeout(timer);
      client.disconnect();
    }
    const wait = Math.min(backoff, deadline - Date.now());
    if (wait <= 0) break;
    await new Promise((r) => setTimeout(r, wait));
    backoff = Math.min(backoff * 2, 2000);
  }
  let why = last instanceof Error ? last.message : String(last);
  for (const u of urls) why = scrubPassword(why, u);
  throw new Error(`cannot reach Redis Cluster at ${urls.map(maskUrl).join(',')} within ${timeoutMs} ms: ${why}`);
}
