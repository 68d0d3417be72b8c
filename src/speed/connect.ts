/**
 * Where realtime views live for one command, resolved once in the main thread:
 *   1. an explicit URL (`--redis URL`, else the REDIS_URL environment variable);
 *   2. else a private redis-server when the binary is installed (see private-redis.ts);
 *   3. else the in-process store, with a warning line for the caller to print.
 * The result's `config` is what the command merges into the topology config (`redis` or
 * `viewStore`), so every worker thread's writer opens the same store.
 */
import { Redis } from 'ioredis';
import { hasRedisServer, startPrivateRedis, type PrivateRedis } from './private-redis.js';
import { maskUrl, redisOptionsFromUrl, scrubPassword } from './redis-url.js';

export interface ConnectOptions {
  /** `--redis URL`. */
  readonly url?: string;
  /** Environment to read REDIS_URL from (default process.env). */
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
  readonly mode: 'url' | 'private' | 'memory';
  /** The URL writers connect to (null for memory); contains the password: never print it. */
  readonly url: string | null;
  /** Printable description (password masked). */
  readonly display: string;
  /** A line for stderr when views will not persist (memory mode), else null. */
  readonly warning: string | null;
  /** Merge into the topology config: `{ redis: url }` or `{ viewStore: 'memory' }`. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Call when the command ends: stops a private server it started unless `keep`. */
  release(): Promise<void>;
}

export const DEFAULT_REDIS_TIMEOUT_MS = 30_000;

/** Resolve the view store for a command (see the file comment for the order). */
export async function connectViews(options: ConnectOptions = {}): Promise<ViewConnection> {
  const env = options.env ?? process.env;
  const explicit = options.url ?? env['REDIS_URL'];
  const timeout = options.redisTimeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
  if (explicit !== undefined && explicit !== '') {
    redisOptionsFromUrl(explicit); // a malformed URL fails now, not after the timeout
    await waitForRedis(explicit, timeout);
    return { mode: 'url', url: explicit, display: maskUrl(explicit), warning: null, config: { redis: explicit }, release: async () => {} };
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
