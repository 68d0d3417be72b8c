/**
 * `topo serve`: the serving layer as an HTTP API (src/serving/http.ts) and the dashboard's
 * analytics and topology pages (src/ui, under /ui/) until SIGINT or SIGTERM (serve-http.ts).
 * One Redis connection for the server's lifetime: during a Redis outage requests are answered
 * 503 and the client reconnects by itself. Bound to 127.0.0.1 unless --host says otherwise; there is
 * no authentication, so any other address gets a warning.
 */
import { existsSync } from 'node:fs';
import { loadTopologyFile } from '../runtime/loader.js';
import { isLoopback, noAuthWarning } from '../ui/listen.js';
import { startServingHttp } from './serve-http.js';
import { durationFlag, intFlag, UsageError } from './options.js';
import { tlsFlagsOf, type RedisTlsCliFlags } from './redis-flags.js';

export { isLoopback };

export interface ServeFlags extends RedisTlsCliFlags {
  topology?: string;
  port?: string;
  host?: string;
  redis?: string;
  redisTimeout?: string;
  redisCluster?: string[];
  verbose?: boolean;
}

/** Connections still open this long after a stop signal are cut. */
const DRAIN_MS = 5000;

export async function serveCommand(flags: ServeFlags): Promise<number> {
  const file = flags.topology ?? 'topologies/pageviews.ts';
  if (flags.topology === undefined && !existsSync(file)) {
    throw new UsageError(`no ${file} here (${process.cwd()}): name the topology file whose views to serve with -t FILE, e.g. -t topologies/mine.ts`);
  }
  const port = intFlag('port', flags.port ?? '8080', 0)!;
  if (port > 65535) throw new UsageError(`--port must be at most 65535, got '${flags.port}'`);
  const host = flags.host ?? '127.0.0.1';
  if (host === '') throw new UsageError('--host must not be empty');
  const redisTimeoutMs = durationFlag('redis-timeout', flags.redisTimeout);
  // Loaded here rather than by loadServedViews: the topology page draws the plan as well.
  const loaded = await loadTopologyFile(file);
  if ((loaded.views ?? []).length === 0) throw new UsageError(`${file} exports no views to serve`);
  const say = (line: string): void => void process.stderr.write(`topo serve: ${line}\n`);
  const { http, served, display, close } = await startServingHttp({
    file, loaded, host, port, say, verbose: flags.verbose === true,
    redis: { url: flags.redis, cluster: flags.redisCluster, redisTimeoutMs, tls: tlsFlagsOf(flags) },
  });
  const url = http.url;
  // Caught before the URL is printed: a client that reads it and sends SIGINT at once must
  // find the handler (without one the signal kills the process, exit code lost).
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  // The warning first: whoever waits for "listening on" has it already.
  if (!isLoopback(host)) say(noAuthWarning(host, 'API'));
  say(`listening on ${url} (topology ${served.namespace}: ${served.views.map((v) => v.name).join(', ')}; Redis ${display})`);
  say(`dashboard: ${url}/ui/ (analytics: ${url}/ui/analytics); try: curl '${url}/api/views'`);

  const signal = await signalled;
  say(`${signal}: stopping (in-flight requests finish, at most ${DRAIN_MS / 1000}s)`);
  // A second signal stops at once.
  const now = (): void => void http.server.closeAllConnections();
  process.once('SIGINT', now).once('SIGTERM', now);
  await close(DRAIN_MS);
  process.off('SIGINT', now).off('SIGTERM', now);
  say('stopped');
  return 0;
}
