/**
 * The dashboard's HTTP handler, for `topo run --ui` and `topo serve`: read-only pages under
 * /ui/, their JSON, Prometheus /metrics, and the serving API (/api/views|query|top|keys,
 * src/serving/http.ts, unchanged) that the analytics page reads, so every figure on it is
 * what `topo query` answers.
 *
 *   GET /ui/                 topology page (DAG and live figures)
 *   GET /ui/analytics        analytics page (top URLs, hourly chart, bounce rate)
 *   GET /ui/assets/NAME      page scripts, styles, uPlot
 *   GET /api/topology        {topology, graph, graphVertical, live (null when no run in this process), history}
 *   GET /metrics             Prometheus text format (prom-client)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { servingHandler, type HttpServingOptions } from '../serving/http.js';
import type { Plan } from '../topology/plan.js';
import { Assets } from './assets.js';
import { layoutGraph, type Graph } from './graph.js';
import { isLoopback } from './listen.js';
import type { LiveFigures } from './live.js';
import { metricsRegistry } from './prometheus.js';

export interface DashboardOptions {
  /** The plan drawn (system components are left out of the drawing). */
  readonly plan: Plan;
  /** The run in this process, or null (`topo serve`). */
  readonly live: LiveFigures | null;
  /** The serving layer for the analytics page, or null with the reason it is missing. */
  readonly serving: HttpServingOptions | null;
  readonly servingMissing?: string;
  /**
   * Answer only requests addressed to a loopback name (Host header): set when bound to
   * loopback, so a web page whose domain was rebound to 127.0.0.1 cannot read the views.
   */
  readonly loopbackHostOnly?: boolean;
  readonly log?: (line: string) => void;
  readonly onError?: (err: unknown) => void;
}

const SERVING_PATHS = ['/api/views', '/api/query', '/api/top', '/api/keys'];
const PAGES: Readonly<Record<string, string>> = { '/ui/': 'topology.html', '/ui/analytics': 'analytics.html' };
const ENDPOINTS = ['/ui/', '/ui/analytics', '/api/topology', '/metrics', ...SERVING_PATHS];

// Pages only load their own files; a view key (a URL from a log) can never run as script.
const HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
};

function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { ...HEADERS, 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...extra });
  res.end(req.method === 'HEAD' ? undefined : text);
}

function sendBody(req: IncomingMessage, res: ServerResponse, type: string, body: string | Buffer): void {
  res.writeHead(200, { ...HEADERS, 'content-type': type, 'content-length': String(Buffer.byteLength(body)) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function pathOf(req: IncomingMessage): string | null {
  try {
    return new URL(`http://ui.invalid${req.url ?? '/'}`).pathname;
  } catch {
    return null;
  }
}

/** The host name of a Host header (`127.0.0.1:8080` -> `127.0.0.1`, `[::1]:80` -> `::1`). */
function hostName(header: string | undefined): string {
  if (!header) return '';
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(header) ?? /^([^:]+)(?::\d+)?$/.exec(header);
  return m ? m[1]! : header;
}

export function dashboardHandler(o: DashboardOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const assets = new Assets();
  // Both orientations once: the page takes the one that fits its panel at full size.
  const graph: Graph = layoutGraph(o.plan, 'lr');
  const graphVertical: Graph = layoutGraph(o.plan, 'tb');
  const registry = metricsRegistry(o.live, o.plan.name);
  const serving = o.serving ? servingHandler({ ...o.serving, ...(o.onError ? { onError: o.onError } : {}) }) : null;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (o.loopbackHostOnly && !isLoopback(hostName(req.headers.host))) {
      return sendJson(req, res, 403, { error: `Host '${req.headers.host ?? ''}' refused: this server answers only requests addressed to 127.0.0.1 or localhost` });
    }
    const path = pathOf(req);
    if (path !== null && SERVING_PATHS.includes(path)) {
      // The serving API keeps its own checks and answers (400 reasons, 405, 503).
      if (serving) return serving(req, res);
      return sendJson(req, res, 503, { error: `no serving layer: ${o.servingMissing ?? 'the views are not in Redis'}` });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendJson(req, res, 405, { error: `method ${req.method} not allowed (GET only)` }, { allow: 'GET, HEAD' });
    }
    if (path === '/ui') {
      res.writeHead(301, { location: '/ui/' }).end();
      return;
    }
    if (path !== null && PAGES[path]) return sendBody(req, res, 'text/html; charset=utf-8', assets.get(PAGES[path])!.body);
    if (path?.startsWith('/ui/assets/')) {
      const asset = assets.get(path.slice('/ui/assets/'.length));
      if (asset) return sendBody(req, res, asset.type, asset.body);
    }
    if (path === '/api/topology') {
      return sendJson(req, res, 200, { topology: o.plan.name, graph, graphVertical, live: o.live?.snapshot() ?? null, history: o.live?.history() ?? [] });
    }
    if (path === '/metrics') return sendBody(req, res, registry.contentType, await registry.metrics());
    // A browser opening the bare address lands on the dashboard; scripts still get the 404.
    if (path === '/' && /text\/html/.test(req.headers.accept ?? '')) {
      res.writeHead(302, { location: '/ui/' }).end();
      return;
    }
    sendJson(req, res, 404, { error: `no such endpoint '${path ?? req.url}' (endpoints: ${ENDPOINTS.join(', ')})` });
  };
  return (req, res) => {
    const t0 = performance.now();
    if (o.log) res.once('finish', () => o.log!(`${req.method} ${req.url} ${res.statusCode} ${(performance.now() - t0).toFixed(1)}ms`));
    handle(req, res).catch((err: unknown) => {
      o.onError?.(err);
      if (!res.headersSent) sendJson(req, res, 500, { error: 'internal error' });
      else res.destroy();
    });
  };
}
