/**
 * The serving layer over HTTP (`topo serve`): the same JSON objects `topo query|top|keys
 * --json` print (built by answers.ts), plus the list of views with their batch coverage.
 *
 *   GET /api/views                                   {namespace, views: [{name, version, aggregation, bucketMs, watermark}]}
 *   GET /api/query?view=V&key=K[&from=T][&to=T]      as `topo query V K --json`
 *   GET /api/top?view=V[&from=T][&to=T][&n=N]        as `topo top V --json`
 *   GET /api/keys?view=V                             as `topo keys V --json`
 *
 * Bad input is a 400 `{"error": reason}` (the reasons of the CLI's exit 2), an unknown path
 * a 404, another method a 405, a failed Redis read a 503. No authentication: bind it to
 * loopback (the default) or put it behind something that has some.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { keysAnswer, queryAnswer, topAnswer, viewsAnswer } from './answers.js';
import type { ServedViews } from './open.js';
import type { ServingLayer } from './query.js';
import { findView, precheckRange, QueryInputError, topCount, viewKey, type RangeNames } from './request.js';

export interface HttpServingOptions {
  readonly serving: ServingLayer;
  readonly served: ServedViews;
  /** Called with one line per request (method, path, status, time) when given. */
  readonly log?: (line: string) => void;
  /** Called with errors answered 500 (a bug, not bad input nor Redis). */
  readonly onError?: (err: unknown) => void;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const NAMES: RangeNames = { from: 'from', to: 'to' };

type Params = Readonly<Record<string, string | undefined>>;
type Route = { readonly params: readonly string[]; readonly required: readonly string[]; readonly answer: (p: Params) => Promise<unknown> };

/** Parameters of the query string: known ones only, each at most once. */
function paramsOf(url: URL, route: Route, path: string): Params {
  const out: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    if (!route.params.includes(name)) throw new QueryInputError(`unknown parameter '${name}' (${path} takes ${route.params.join(', ') || 'none'})`);
    if (name in out) throw new QueryInputError(`parameter '${name}' given twice`);
    out[name] = value;
  }
  for (const name of route.required) {
    if (out[name] === undefined || out[name] === '') throw new QueryInputError(`missing parameter '${name}' (${path} needs ${route.required.join(' and ')})`);
  }
  return out;
}

function routes({ serving, served }: HttpServingOptions): ReadonlyMap<string, Route> {
  const view = (p: Params) => findView(served.views, p['view']!, served.file);
  const range = (p: Params) => ({ from: p['from'], to: p['to'] });
  return new Map<string, Route>([
    ['/api/views', { params: [], required: [], answer: () => viewsAnswer(serving.redis, served.namespace, served.views) }],
    ['/api/query', {
      params: ['view', 'key', 'from', 'to'], required: ['view', 'key'],
      answer: (p) => {
        const v = view(p);
        const key = viewKey(v, p['key']!);
        precheckRange(v, range(p), NAMES);
        return queryAnswer(serving, v, key, range(p), NAMES);
      },
    }],
    ['/api/top', {
      params: ['view', 'from', 'to', 'n'], required: ['view'],
      answer: (p) => {
        const v = view(p);
        const n = topCount(p['n'], 'n');
        precheckRange(v, range(p), NAMES);
        return topAnswer(serving, v, n, range(p), NAMES);
      },
    }],
    ['/api/keys', { params: ['view'], required: ['view'], answer: (p) => keysAnswer(serving, view(p)) }],
  ]);
}

/** An error of the Redis connection or a Redis reply (503), as opposed to a bug (500). */
function isRedisError(err: unknown, serving: ServingLayer): boolean {
  if (serving.redis.status !== 'ready') return true;
  if (!(err instanceof Error)) return false;
  return /ReplyError|MaxRetriesPerRequestError|AbortError/.test(err.name) ||
    /connection|stream isn't writeable|timed out|ECONN|EPIPE|ETIMEDOUT|NOAUTH|LOADING|READONLY|MISCONF/i.test(err.message);
}

function send(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(req.method === 'HEAD' ? undefined : text);
}

function urlOf(req: IncomingMessage): URL {
  try {
    // Appended, not resolved: a path such as `//host/x` stays a path.
    return new URL(`http://serve.invalid${req.url ?? '/'}`);
  } catch {
    throw new QueryInputError(`malformed request URL '${req.url}'`);
  }
}

/** The request handler (for tests, or to mount under another server). */
export function servingHandler(o: HttpServingOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const table = routes(o);
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const url = urlOf(req);
      const route = table.get(url.pathname);
      if (!route) throw new HttpError(404, `no such endpoint '${url.pathname}' (endpoints: ${[...table.keys()].join(', ')})`);
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, `method ${req.method} not allowed (GET only)`);
      send(req, res, 200, await route.answer(paramsOf(url, route, url.pathname)));
    } catch (err) {
      if (err instanceof HttpError) send(req, res, err.status, { error: err.message }, err.status === 405 ? { allow: 'GET, HEAD' } : {});
      else if (err instanceof QueryInputError) send(req, res, 400, { error: err.message });
      else if (isRedisError(err, o.serving)) send(req, res, 503, { error: `view store unavailable: ${(err as Error).message ?? String(err)}` });
      else {
        o.onError?.(err);
        send(req, res, 500, { error: 'internal error' });
      }
    }
  };
  return (req, res) => {
    const t0 = performance.now();
    if (o.log) res.once('finish', () => o.log!(`${req.method} ${req.url} ${res.statusCode} ${(performance.now() - t0).toFixed(1)}ms`));
    void handle(req, res);
  };
}

/** An HTTP server answering the serving API; call `listen` on it. */
export function createServingServer(o: HttpServingOptions): Server {
  return createServer(servingHandler(o));
}
