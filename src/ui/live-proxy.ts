/**
 * The live figures of a run in another process: `topo up`'s dashboard serves the pages and
 * the serving API itself, and passes the two live endpoints (`/api/topology`, `/metrics`) on
 * to the dashboard of its speed layer's `topo run` (a child on a loopback port). While that
 * child is not up (starting, restarting, given up) the local handler answers them: the plan
 * without live figures, as `topo serve` does.
 */
import { request, type IncomingMessage, type ServerResponse } from 'node:http';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const LIVE_PATHS = new Set(['/api/topology', '/metrics']);

/** `local` for everything but the live endpoints, which go to `liveUrl()` when it names one. */
export function liveProxy(local: Handler, liveUrl: () => string | null): Handler {
  return (req, res) => {
    const target = liveUrl();
    const path = (req.url ?? '/').split('?')[0]!;
    if (target === null || !LIVE_PATHS.has(path) || (req.method !== 'GET' && req.method !== 'HEAD')) return local(req, res);
    const url = new URL(req.url ?? '/', target);
    // The Host header goes as it came: the child's loopback-only check (DNS rebinding) applies to it too.
    const out = request(url, { method: req.method, headers: { host: req.headers.host ?? url.host, accept: req.headers.accept ?? '*/*' }, timeout: 2000 }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    // Gone between the check and the request (a restart): answer from here.
    out.once('error', () => {
      if (!res.headersSent) local(req, res);
      else res.destroy();
    });
    out.once('timeout', () => out.destroy(new Error('timeout')));
    out.end();
  };
}
