/**
 * The start-up wait of every command: is the Redis (or cluster) there? An outage (refused,
 * reset, timed out, LOADING) is retried with backoff (100 ms doubling to 2 s) until the
 * --redis-timeout, because a server may still be starting; a failure waiting cannot fix (a
 * wrong or missing password, an ACL refusal, a certificate one side does not trust: see
 * redis-failure.ts) ends the wait at once with what to fix. Every message names the URL with
 * its password masked.
 */
import { Cluster, Redis } from 'ioredis';
import { clusterNodesOf } from './redis-client.js';
import { permanentFailure, retryHint } from './redis-failure.js';
import { clusterNodeOptions, maskUrl, redisOptionsFromUrl, scrubPassword } from './redis-url.js';
import { probeTls } from './tls-probe.js';

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** An attempt's error as the permanent failure it stands for, asking a raw TLS socket when the client saw only a reset. */
async function classify(err: unknown, url: string, left: number): Promise<Error | null> {
  const known = permanentFailure(err, url);
  if (known !== null || !/^rediss:/i.test(url.trim())) return known;
  return permanentFailure(await probeTls(redisOptionsFromUrl(url), Math.max(200, Math.min(left, 2000))), url);
}

/**
 * Resolve once `url` answers PING; retry an outage until `timeoutMs`, then throw an error
 * naming the URL (password masked) and the last error; throw at once on a permanent failure.
 */
export async function waitForRedis(url: string, timeoutMs: number): Promise<void> {
  const options = redisOptionsFromUrl(url); // a malformed URL or TLS file fails before any attempt
  const deadline = Date.now() + timeoutMs;
  let backoff = 100;
  let last: unknown = new Error('no attempt made');
  for (;;) {
    const left = deadline - Date.now();
    const client = new Redis({
      ...options,
      lazyConnect: true,
      enableOfflineQueue: false,
      // The ready check's INFO is what a restricted ACL user may not run; PING below is the check.
      enableReadyCheck: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      connectTimeout: Math.max(100, Math.min(left, 2000)),
      // After a refusal the socket may never say 'close': its 2 s destroy timer would hold the exit of a failing command.
      disconnectTimeout: 100,
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
    const permanent = await classify(last, url, deadline - Date.now());
    if (permanent !== null) throw permanent;
    const wait = Math.min(backoff, deadline - Date.now());
    if (wait <= 0) break;
    await sleep(wait);
    backoff = Math.min(backoff * 2, 2000);
  }
  const why = scrubPassword(last instanceof Error ? last.message : String(last), url);
  throw new Error(`cannot reach Redis at ${maskUrl(url)} within ${timeoutMs} ms: ${why}${retryHint(last, url)}`);
}

/**
 * Resolve once the cluster answers through any of `urls` and reports `cluster_state:ok`;
 * retry an outage until `timeoutMs`, then throw an error naming the nodes (passwords
 * masked) and the last error; throw at once on a permanent failure.
 */
export async function waitForCluster(urls: readonly string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const shared = clusterNodeOptions(urls[0]!);
  let backoff = 100;
  let last: unknown = new Error('no attempt made');
  for (;;) {
    const left = deadline - Date.now();
    const client = new Cluster(clusterNodesOf(urls), {
      lazyConnect: true,
      enableOfflineQueue: false,
      enableReadyCheck: false,
      clusterRetryStrategy: () => null,
      slotsRefreshTimeout: Math.max(100, Math.min(left, 5000)),
      redisOptions: { ...shared, maxRetriesPerRequest: 0, enableReadyCheck: false, disconnectTimeout: 100, connectTimeout: Math.max(100, Math.min(left, 2000)) },
    });
    // The cluster client wraps a node's refusal ("Failed to refresh slots cache"): keep every cause, look at each.
    const causes: unknown[] = [];
    client.on('error', (e: unknown) => causes.push(e, (e as { lastNodeError?: unknown }).lastNodeError));
    client.on('node error', (e: unknown) => causes.push(e));
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
      causes.push(err);
      last = causes.find((c) => c !== undefined && c !== null) ?? err;
    } finally {
      clearTimeout(timer);
      client.disconnect();
    }
    for (const c of causes) {
      const permanent = c === undefined || c === null ? null : permanentFailure(c, urls[0]!);
      if (permanent !== null) throw permanent;
    }
    const tlsWhy = /^rediss:/i.test(urls[0]!.trim()) ? await classify(last, urls[0]!, deadline - Date.now()) : null;
    if (tlsWhy !== null) throw tlsWhy;
    const wait = Math.min(backoff, deadline - Date.now());
    if (wait <= 0) break;
    await sleep(wait);
    backoff = Math.min(backoff * 2, 2000);
  }
  let why = last instanceof Error ? last.message : String(last);
  for (const u of urls) why = scrubPassword(why, u);
  throw new Error(`cannot reach Redis Cluster at ${urls.map(maskUrl).join(',')} within ${timeoutMs} ms: ${why}`);
}
