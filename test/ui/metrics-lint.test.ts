/**
 * /metrics passes Prometheus's own lint (`promtool check metrics`) on a live run: base units,
 * `_total` on counters only, latencies as real summaries (quantile, _sum, _count). Without
 * promtool the lint cannot run and must not pass quietly: the test is skipped with a banner.
 * The names and types users build alerts on are asserted here, so a rename is a choice.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTopology, type TopologyHandle } from '../../src/runtime/local.js';
import { listen, type Listening } from '../../src/ui/listen.js';
import { LiveFigures } from '../../src/ui/live.js';
import { dashboardHandler } from '../../src/ui/server.js';
import steady from './fixtures/steady.js';

const PROMTOOL = process.env['PROMTOOL_PATH'] ?? '/usr/bin/promtool';
const hasPromtool = existsSync(PROMTOOL);
if (!hasPromtool) {
  const line = '!'.repeat(100);
  console.warn(`\n${line}\n!! SKIPPED: the promtool lint of /metrics: no promtool at ${PROMTOOL}. The lint DID NOT RUN.\n` +
    `!! Install it with: apt-get install -y prometheus   (or set PROMTOOL_PATH)\n${line}\n`);
}

function promtool(text: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(PROMTOOL, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    p.stdout.on('data', (d: Buffer) => (output += d.toString()));
    p.stderr.on('data', (d: Buffer) => (output += d.toString()));
    p.on('error', reject).on('close', (code) => resolve({ code, output }));
    p.stdin.end(text);
  });
}

let run: TopologyHandle;
let live: LiveFigures;
let http: Listening;
beforeAll(async () => {
  run = await runTopology(steady);
  live = new LiveFigures(run.supervisor, 200).start();
  http = await listen(dashboardHandler({ plan: run.supervisor.plan, live, serving: null }), '127.0.0.1', 0);
});
afterAll(async () => {
  await http?.close(100);
  await run?.stop();
});

const scrape = async (): Promise<string> => (await fetch(`${http.url}/metrics`)).text();

/** Scrape until the run's latencies are in (trees completed, executes sampled), or the deadline. */
async function scrapeWithLatencies(ms = 30_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const text = await scrape();
    if ((/^topo_spout_complete_latency_seconds_count\{[^}]*\} [1-9]/m.test(text) && /^topo_component_execute_latency_seconds_count\{/m.test(text)) || Date.now() > end) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const typesOf = (text: string): Map<string, string> =>
  new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));

describe('/metrics', () => {
  it('names and types: counters end in _total, latencies are summaries in seconds, no millisecond names', async () => {
    const text = await scrapeWithLatencies();
    const types = typesOf(text);
    const topo = [...types].filter(([name]) => !/^topo_(process|nodejs)_/.test(name));
    expect(Object.fromEntries(topo)).toEqual({
      topo_component_emitted_total: 'counter', topo_component_executed_total: 'counter', topo_component_acked_total: 'counter',
      topo_component_failed_total: 'counter', topo_component_errors_total: 'counter', topo_component_replayed_total: 'counter',
      topo_component_capacity_ratio: 'gauge', topo_component_parallelism: 'gauge', topo_component_backpressure: 'gauge',
      topo_component_execute_latency_seconds: 'summary', topo_spout_pending_trees: 'gauge', topo_spout_complete_latency_seconds: 'summary',
      topo_thread_queue_depth: 'gauge', topo_thread_heap_used_bytes: 'gauge', topo_thread_restarts_total: 'counter',
      topo_run_running: 'gauge', topo_run_degraded: 'gauge', topo_run_pending_trees: 'gauge', topo_run_restarts_total: 'counter',
    });
    expect(text).not.toMatch(/_ms[{ ]/);
    // A summary's three parts, in seconds: the quantiles ordered, sum/count a plausible mean.
    const q = (quantile: string): number => Number(new RegExp(`^topo_spout_complete_latency_seconds\\{component="ticker",quantile="${quantile}",topology="steady"\\} (\\S+)$`, 'm').exec(text)![1]);
    expect(q('0.5')).toBeGreaterThan(0);
    expect(q('0.5')).toBeLessThanOrEqual(q('0.99'));
    expect(q('0.99')).toBeLessThan(5); // seconds, not milliseconds: the fixture's trees take a few ms
    const sum = Number(/^topo_spout_complete_latency_seconds_sum\{component="ticker",topology="steady"\} (\S+)$/m.exec(text)![1]);
    const count = Number(/^topo_spout_complete_latency_seconds_count\{component="ticker",topology="steady"\} (\S+)$/m.exec(text)![1]);
    expect(count).toBeGreaterThan(0);
    expect(sum / count).toBeLessThan(5);
    expect(text).toMatch(/^topo_component_execute_latency_seconds_sum\{component="check",topology="steady"\} \d/m);
    expect(text).toMatch(/^topo_component_execute_latency_seconds_count\{component="check",topology="steady"\} [1-9]/m);
    // The dashboard reads the same figures (in ms) from /api/topology.
    const figures = live.snapshot().components.find((c) => c.id === 'ticker')!;
    expect(figures.completeLatencyMs!.p50).toBeGreaterThan(0);
  });

  it.skipIf(!hasPromtool)('passes promtool check metrics', async () => {
    const text = await scrapeWithLatencies();
    const r = await promtool(text);
    // prom-client's default Node.js metrics keep their library's names (three gauges named
    // *_total); every complaint must be about one of those, none about a metric topo names.
    const problems = r.output.split('\n').filter((l) => l.trim() !== '');
    const ours = problems.filter((l) => !/^topo_(nodejs|process)_\S+ /.test(l));
    expect(ours).toEqual([]);
    expect(r.code === 0 || (r.code === 3 && problems.length > 0), r.output).toBe(true);
  });

  it.skipIf(!hasPromtool)('the lint is live: promtool rejects the names /metrics used to have', async () => {
    const old = '# HELP topo_spout_complete_latency_ms x\n# TYPE topo_spout_complete_latency_ms gauge\ntopo_spout_complete_latency_ms{quantile="0.5"} 3\n';
    const r = await promtool(old);
    expect(r.code).toBe(3);
    expect(r.output).toMatch(/^topo_spout_complete_latency_ms /m);
  });
});
