/**
 * `topo serve`: the serving layer as an HTTP API (src/serving/http.ts) until SIGINT or
 * SIGTERM. One Redis connection for the server's lifetime: during a Redis outage requests
 * are answered 503 and the client reconnects by itself. Bound to 127.0.0.1 unless --host
 * says otherwise; there is no authentication, so any other address gets a warning.
 */
import { isIP } from 'node:net';
import type { AddressInfo } from 'node:net';
import { RunError } from '../runtime/supervisor.js';
import { createServingServer } from '../serving/http.js';
import { loadServedViews, openServing, ViewStoreUnavailableError } from '../serving/open.js';
import { durationFlag, intFlag, UsageError } from './options.js';

export interface ServeFlags {
  topology?: string;
  port?: string;
  host?: string;
  redis?: string;
  redisTimeout?: string;
  verbose?: boolean;
}

/** Connections still open this long after a stop signal are cut. */
const DRAIN_MS = 5000;

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 ? h.startsWith('127.') : /^::ffff:127\./.test(h);
}

function urlOf(addr: AddressInfo): string {
  return `http://${addr.family === 'IPv6' || addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}`;
}

export async function serveCommand(flags: ServeFlags): Promise<number> {
  const file = flags.topology ?? 'topologies/pageviews.ts';
  const port = intFlag('port', flags.port ?? '8080', 0)!;
  if (port > 65535) throw new UsageError(`--port must be at most 65535, got '${flags.port}'`);
  const host = flags.host ?? '127.0.0.1';
  if (host === '') throw new UsageError('--host must not be empty');
  const redisTimeoutMs = durationFlag('redis-timeout', flags.redisTimeout);
  const served = await loadServedViews(file);
  if (served.views.length === 0) throw new UsageError(`${file} exports no views to serve`);
  const opened = await openServing(served.namespace, { url: flags.redis, redisTimeoutMs })
    .catch((err: unknown) => { throw err instanceof ViewStoreUnavailableError ? new RunError(err.message, 1) : err; });
  const say = (line: string): void => void process.stderr.write(`topo serve: ${line}\n`);
  const redis = opened.serving.redis;
  // Said once per outage (the client reconnects every second meanwhile).
  let down = false;
  const onClose = (): void => {
    if (!down) say('lost the Redis connection; answering 503 until it is back');
    down = true;
  };
  const onReady = (): void => {
    if (down) say('Redis connection is back');
    down = false;
  };
  redis.on('close', onClose).on('ready', onReady);

  const server = createServingServer({
    serving: opened.serving,
    served,
    ...(flags.verbose ? { log: (line: string) => say(line) } : {}),
    onError: (err) => say(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    redis.off('close', onClose).off('ready', onReady);
    await opened.release();
    throw new RunError(`cannot listen on ${host}:${port}: ${(err as Error).message}`, 1);
  }
  const url = urlOf(server.address() as AddressInfo);
  say(`listening on ${url} (topology ${served.namespace}: ${served.views.map((v) => v.name).join(', ')}; Redis ${opened.display})`);
  say(`try: curl '${url}/api/views'`);
  if (!isLoopback(host)) say(`warning: bound to ${host}, not loopback: the API has no authentication, anyone who can reach this port reads every view`);

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  say(`${signal}: stopping (in-flight requests finish, at most ${DRAIN_MS / 1000}s)`);
  // A second signal stops at once.
  const now = (): void => void server.closeAllConnections();
  process.once('SIGINT', now).once('SIGTERM', now);
  const cut = setTimeout(now, DRAIN_MS);
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
  clearTimeout(cut);
  process.off('SIGINT', now).off('SIGTERM', now);
  redis.off('close', onClose).off('ready', onReady);
  await opened.release();
  say('stopped');
  return 0;
}
