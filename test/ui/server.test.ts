/**
 * The dashboard server over a real run (tasks on this thread): /api/topology and /metrics
 * report what the supervisor counts, the pages and uPlot are served and nothing else on disk
 * is, other methods get 405, and the serving API says why it is missing when views are not in
 * Redis.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTopology, type TopologyHandle } from '../../src/runtime/local.js';
import type { RunSummary } from '../../src/runtime/summary.js';
import { listen, type Listening } from '../../src/ui/listen.js';
import { LiveFigures, type LiveSnapshot } from '../../src/ui/live.js';
import { dashboardHandler } from '../../src/ui/server.js';
import steady from './fixtures/steady.js';

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string }

function fetchText(url: string, init: { method?: string; accept?: string; host?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers = { ...(init.accept ? { accept: init.accept } : {}), ...(init.host ? { host: init.host } : {}) };
    const req = request(url, { method: init.method ?? 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (s: string) => (body += s)).on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject).end();
  });
}

let run: TopologyHandle;
let live: LiveFigures;
let http: Listening;
beforeAll(async () => {
  run = await runTopology(steady);
  live = new LiveFigures(run.supervisor, 200).start();
  http = await listen(dashboardHandler({ plan: run.supervisor.plan, live, serving: null, servingMissing: 'this run keeps its views in memory' }), '127.0.0.1', 0);
});
afterAll(async () => {
  await http?.close(100);
  await run?.stop();
});

const topology = async (): Promise<{ topology: string; graph: { nodes: Array<{ id: string }>; edges: unknown[] }; live: LiveSnapshot; history: unknown[] }> =>
  JSON.parse((await fetchText(`${http.url}/api/topology`)).body);

async function until<T>(f: () => Promise<T>, ok: (t: T) => boolean, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const t = await f();
    if (ok(t) || Date.now() > end) return t;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('dashboard server during a run', () => {
  it('/api/topology: the plan as a graph and live figures that rise, errors with their last message', async () => {
    const first = await until(topology, (t) => t.live.totals.acked > 0);
    expect(first.topology).toBe('steady');
    expect(first.graph.nodes.map((n) => n.id)).toEqual(['ticker', 'check', 'tally']);
    expect(first.graph.edges).toContainEqual(expect.objectContaining({ from: 'check', to: 'tally', stream: 'checked', grouping: 'fields(parity)', label: 'fields(parity) · checked' }));
    expect(first.live.status).toBe('running');
    const later = await until(topology, (t) => t.live.totals.acked > first.live.totals.acked && t.live.components.some((c) => c.errors > 0));
    expect(later.live.totals.acked).toBeGreaterThan(first.live.totals.acked);
    const check = later.live.components.find((c) => c.id === 'check')!;
    expect(check.errors).toBeGreaterThan(0);
    expect(check.lastError).toMatch(/boom on tuple \d+/);
    expect(check.capacity).not.toBeNull();
    expect(later.live.components.find((c) => c.id === 'ticker')!.pending).not.toBeNull();
    expect(later.live.threads).toHaveLength(1);
    expect(later.history.length).toBeGreaterThan(1);
  });

  it('a throwing bolt: degraded with the reason, the failing bolt per component, an error history with full text', async () => {
    const t = await until(topology, (x) => x.live.health.degraded && x.live.recentErrors.length > 0);
    expect(t.live.status).toBe('running');
    expect(t.live.health.degraded).toBe(true);
    expect(t.live.health.reasons.join('\n')).toMatch(/'check' reported \d+ errors? in the last \d+ s; last: Error: boom on tuple \d+/);
    const check = t.live.components.find((c) => c.id === 'check')!;
    expect(check.recentErrors).toBeGreaterThan(0);
    expect(t.live.components.find((c) => c.id === 'tally')!.recentErrors).toBe(0);
    const e = t.live.recentErrors.at(-1)!;
    expect(e.component).toBe('check');
    expect(run.supervisor.assignment.componentTasks['check']).toContain(e.taskId);
    expect(Math.abs(e.at - Date.now())).toBeLessThan(60_000);
    // The full text, stack included (the table cell only ever had the first line).
    expect(e.message).toMatch(/boom on tuple \d+\n\s+at /);
    expect(check.backpressure.state).toMatch(/^(none|congested)$/);
    expect(t.live.statusReason).toBeNull();
  });

  it('/metrics: Prometheus text with the run counters and process metrics', async () => {
    const r = await fetchText(`${http.url}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain/);
    expect(r.body).toMatch(/^# TYPE topo_component_acked_total counter$/m);
    expect(r.body).toMatch(/^topo_component_acked_total\{component="ticker",kind="spout",topology="steady"\} [1-9]\d*$/m);
    expect(r.body).toMatch(/^topo_process_resident_memory_bytes\{topology="steady"\} \d+/m);
    expect(r.body).toMatch(/^topo_run_running\{topology="steady"\} 1$/m);
  });

  it('serves the pages and uPlot, and nothing else from disk', async () => {
    const page = await fetchText(`${http.url}/ui/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('/ui/assets/topology.js');
    expect((await fetchText(`${http.url}/ui/analytics`)).body).toContain('/ui/assets/analytics.js');
    const uplot = await fetchText(`${http.url}/ui/assets/uPlot.iife.min.js`);
    expect(uplot.status).toBe(200);
    expect(uplot.body).toMatch(/uPlot/);
    for (const path of ['/ui/assets/nope.js', '/ui/assets/..%2Fserver.ts', '/ui/assets/../../package.json', '/ui/assets/%2e%2e/graph.ts', '/ui/assets/']) {
      expect((await fetchText(`${http.url}${path}`)).status, path).toBe(404);
    }
  });

  it('redirects a browser from / to the dashboard; scripts, other methods and the missing serving layer get JSON errors', async () => {
    const browser = await fetchText(`${http.url}/`, { accept: 'text/html,application/xhtml+xml' });
    expect(browser.status).toBe(302);
    expect(browser.headers.location).toBe('/ui/');
    const script = await fetchText(`${http.url}/`);
    expect(script.status).toBe(404);
    expect(JSON.parse(script.body).error).toMatch(/no such endpoint '\/' \(endpoints: \/ui\/, /);
    const post = await fetchText(`${http.url}/api/topology`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const query = await fetchText(`${http.url}/api/query?view=pageviews&key=x`);
    expect(query.status).toBe(503);
    expect(JSON.parse(query.body).error).toBe('no serving layer: this run keeps its views in memory');
  });

  it('bound to loopback, refuses requests addressed to another host name (DNS rebinding)', async () => {
    const guarded = await listen(dashboardHandler({ plan: run.supervisor.plan, live, serving: null, loopbackHostOnly: true }), '127.0.0.1', 0);
    try {
      const port = new URL(guarded.url).port;
      const evil = await fetchText(`${guarded.url}/api/topology`, { host: `rebound.example:${port}` });
      expect(evil.status).toBe(403);
      expect(JSON.parse(evil.body).error).toMatch(/Host 'rebound\.example:\d+' refused/);
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'localhost', `[::1]:${port}`]) {
        expect((await fetchText(`${guarded.url}/api/topology`, { host })).status, host).toBe(200);
      }
    } finally {
      await guarded.close(100);
    }
  });

  it('after the run: the figures of its summary, and running 0', async () => {
    const summary: RunSummary = await run.stop();
    live.finish(summary);
    const t = await topology();
    expect(t.live.status).toBe('stopped');
    // The throwing bolt's last window is not presented as current trouble once the run ended.
    expect(t.live.health).toEqual({ degraded: false, reasons: [] });
    expect(t.live.statusReason).toBeNull();
    expect(t.live.totals.acked).toBe(summary.spouts['ticker']!.acked);
    expect(t.live.components.find((c) => c.id === 'check')!.executed).toBe(summary.bolts['check']!.executed);
    const m = (await fetchText(`${http.url}/metrics`)).body;
    expect(m).toContain(`topo_component_acked_total{component="ticker",kind="spout",topology="steady"} ${summary.spouts['ticker']!.acked}`);
    expect(m).toMatch(/^topo_run_running\{topology="steady"\} 0$/m);
  });
});
