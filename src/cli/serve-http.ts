/**
 * The serving layer over HTTP for a command's lifetime: the topology's views opened through
 * one Redis connection (src/serving/open.ts), the dashboard handler (src/ui/server.ts, the
 * serving API under /api/ and the pages under /ui/) bound to a host and port, and a line each
 * time the Redis connection is lost and back. `topo serve` runs it alone, `topo up` beside the
 * speed and batch layers (with the live figures of its speed layer routed in by `wrap`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoadedTopology } from '../runtime/loader.js';
import { RunError } from '../runtime/supervisor.js';
import { openServing, ViewStoreUnavailableError, type OpenOptions, type ServedViews } from '../serving/open.js';
import { isLoopback, listen, ListenError, type Listening } from '../ui/listen.js';
import { dashboardHandler } from '../ui/server.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface ServingHttpOptions {
  readonly file: string;
  readonly loaded: LoadedTopology;
  readonly host: string;
  readonly port: number;
  readonly redis: OpenOptions;
  /** Event lines (lost Redis, internal errors, and per request with `verbose`). */
  readonly say: (line: string) => void;
  readonly verbose?: boolean;
  /** Wraps the dashboard handler (a route of the caller's in front of it). */
  readonly wrap?: (h: Handler) => Handler;
}

export interface ServingHttp {
  readonly http: Listening;
  readonly served: ServedViews;
  /** Where the views are read (password masked). */
  readonly display: string;
  /** Stop listening (in-flight requests get `drainMs`), then close the Redis connection. */
  close(drainMs: number): Promise<void>;
}

export async function startServingHttp(o: ServingHttpOptions): Promise<ServingHttp> {
  const served: ServedViews = { file: o.file, namespace: o.loaded.topology.name, views: o.loaded.views ?? [] };
  const opened = await openServing(served.namespace, o.redis)
    .catch((err: unknown) => { throw err instanceof ViewStoreUnavailableError ? new RunError(err.message, 1) : err; });
  const redis = opened.serving.redis;
  // Said once per outage (the client reconnects every second meanwhile).
  let down = false;
  const onClose = (): void => {
    if (!down) o.say('lost the Redis connection; answering 503 until it is back');
    down = true;
  };
  const onReady = (): void => {
    if (down) o.say('Redis connection is back');
    down = false;
  };
  redis.on('close', onClose).on('ready', onReady);
  const handler = dashboardHandler({
    plan: o.loaded.topology.plan,
    live: null,
    serving: { serving: opened.serving, served },
    loopbackHostOnly: isLoopback(o.host),
    ...(o.verbose ? { log: (line: string) => o.say(line) } : {}),
    onError: (err) => o.say(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
  });
  let http: Listening;
  try {
    http = await listen(o.wrap ? o.wrap(handler) : handler, o.host, o.port);
  } catch (err) {
    redis.off('close', onClose).off('ready', onReady);
    await opened.release();
    throw err instanceof ListenError ? new RunError(err.message, 1) : err;
  }
  return {
    http,
    served,
    display: opened.display,
    close: async (drainMs) => {
      await http.close(drainMs);
      redis.off('close', onClose).off('ready', onReady);
      await opened.release();
    },
  };
}
