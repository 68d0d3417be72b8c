/**
 * `topo serve` serves the dashboard too: the pages under /ui/, the plan of the served
 * topology as a graph with no live figures (no run in that process), /metrics with the
 * process's own metrics, and the serving API unchanged beside them.
 */
import { describe, expect, it } from 'vitest';
import { get, serveOnFreshRedis } from '../serving-http/harness.js';
import { waitForOutput } from '../cli/run-cli.js';

const ctx = serveOnFreshRedis();

async function text(path: string): Promise<{ status: number; type: string | null; body: string }> {
  const res = await fetch(`${ctx.serve.url}${path}`);
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

describe('topo serve dashboard', () => {
  it('prints the dashboard URL and serves both pages', async () => {
    // The line after "listening on" may arrive in a later chunk of the child's stderr.
    await waitForOutput(ctx.serve.out, (s) => /dashboard: /.test(s), 10_000);
    expect(ctx.serve.out.stderr).toContain(`dashboard: ${ctx.serve.url}/ui/ (analytics: ${ctx.serve.url}/ui/analytics)`);
    for (const [path, script] of [['/ui/', 'topology.js'], ['/ui/analytics', 'analytics.js']] as const) {
      const r = await text(path);
      expect(r.status, path).toBe(200);
      expect(r.type).toMatch(/^text\/html/);
      expect(r.body).toContain(`/ui/assets/${script}`);
    }
  });

  it('/api/topology: the served topology as a graph, no live figures', async () => {
    const r = await get(`${ctx.serve.url}/api/topology`);
    expect(r.status).toBe(200);
    const body = r.body as { topology: string; graph: { nodes: Array<{ id: string; level: number }> }; live: unknown; history: unknown[] };
    expect(body.topology).toBe('pageviews');
    expect(body.graph.nodes.map((n) => [n.id, n.level])).toEqual(expect.arrayContaining([['lines', 0], ['parse', 1], ['visitors', 2], ['views', 3]]));
    expect(body.live).toBeNull();
    expect(body.history).toEqual([]);
  });

  it('/metrics: process metrics only, and the serving API beside it', async () => {
    const m = await text('/metrics');
    expect(m.status).toBe(200);
    expect(m.body).toMatch(/^topo_process_cpu_user_seconds_total\{topology="pageviews"\} /m);
    expect(m.body).not.toMatch(/topo_component_/);
    const views = await get(`${ctx.serve.url}/api/views`);
    expect(views.status).toBe(200);
    expect((views.body as { views: Array<{ name: string }> }).views.map((v) => v.name)).toEqual(['pageviews', 'uniques', 'bounces']);
  });
});
