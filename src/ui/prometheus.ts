/**
 * `/metrics` in the Prometheus text format, through prom-client: the process's own metrics
 * (CPU, memory, event loop lag) and, during `topo run --ui`, the live figures of the run.
 * Values are read from the latest LiveFigures sample at scrape time (collect callbacks), so
 * a scrape costs no message to the workers. Totals are counters (reset and set to the
 * current total on each scrape: the supervisor's totals only grow, threads that died
 * included), so `rate(topo_component_acked_total[1m])` works as users expect.
 *
 * Names follow Prometheus's conventions, checked by `promtool check metrics` in the tests:
 * base units (seconds, bytes), `_total` on counters only, and latencies as summaries
 * (quantiles, `_sum`, `_count`) rather than gauges with a hand-made `quantile` label, which
 * Prometheus and Grafana would not treat as a summary. docs/dashboard.md lists every name.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { ComponentFigures, LiveFigures } from './live.js';
import { PrecomputedSummary, type SummaryFigures } from './prom-summary.js';

type Totals = 'emitted' | 'executed' | 'acked' | 'failed' | 'errors' | 'replayed';
const TOTALS: readonly Totals[] = ['emitted', 'executed', 'acked', 'failed', 'errors', 'replayed'];
const HELP: Readonly<Record<Totals, string>> = {
  emitted: 'Tuples emitted', executed: 'Tuples executed (bolts)', acked: 'Tuples acked (spouts: trees completed)',
  failed: 'Tuples failed (spouts: trees failed or timed out)', errors: 'Errors reported (thrown or reportError)', replayed: 'Tuples replayed (spouts)',
};
const COMPLETE_QUANTILES = [0.5, 0.9, 0.99, 0.999] as const;

export function metricsRegistry(live: LiveFigures | null, topology: string): Registry {
  const register = new Registry();
  register.setDefaultLabels({ topology });
  collectDefaultMetrics({ register, prefix: 'topo_' });
  if (!live) return register;

  const snap = () => live.snapshot();
  const componentLabels = ['component', 'kind'] as const;
  const counter = (name: string, help: string, labelNames: readonly string[], fill: (c: Counter) => void): void => {
    const c: Counter = new Counter({ name, help, labelNames, registers: [register], collect() { c.reset(); fill(c); } });
  };
  const gauge = (name: string, help: string, labelNames: readonly string[], fill: (g: Gauge) => void): void => {
    const g: Gauge = new Gauge({ name, help, labelNames, registers: [register], collect() { g.reset(); fill(g); } });
  };
  for (const name of TOTALS) {
    counter(`topo_component_${name}_total`, `${HELP[name]} per component (all tasks, threads that died included)`, componentLabels, (c) => {
      for (const f of snap().components) c.inc({ component: f.id, kind: f.kind }, f[name]);
    });
  }
  gauge('topo_component_capacity_ratio', 'Busiest task busy time / wall time over the last 5 s (bolts; near 1: the bottleneck)', componentLabels, (g) => {
    for (const f of snap().components) if (f.capacity !== null) g.set({ component: f.id, kind: f.kind }, f.capacity);
  });
  gauge('topo_component_parallelism', 'Tasks per component', componentLabels, (g) => {
    for (const f of snap().components) g.set({ component: f.id, kind: f.kind }, f.parallelism);
  });
  gauge('topo_component_backpressure', '1 while the component is held back (spout at maxSpoutPending, or a thread of its tasks congested), else 0', componentLabels, (g) => {
    for (const f of snap().components) g.set({ component: f.id, kind: f.kind }, f.backpressure.state === 'none' ? 0 : 1);
  });
  new PrecomputedSummary('topo_component_execute_latency_seconds',
    'Execute latency of sampled executes per bolt, since the start (_count counts the samples, not every execute)',
    () => executeFigures(snap().components), register);
  gauge('topo_spout_pending_trees', 'Tracked tuple trees in flight per spout', ['component'], (g) => {
    for (const f of snap().components) if (f.pending !== null) g.set({ component: f.id }, f.pending);
  });
  new PrecomputedSummary('topo_spout_complete_latency_seconds',
    'Complete latency (emit to fully acked) of the trees a spout rooted, since the start',
    () => completeFigures(snap().components), register);
  gauge('topo_thread_queue_depth', 'Tuples queued in a worker thread', ['worker'], (g) => {
    for (const t of snap().threads) g.set({ worker: String(t.worker) }, t.queueDepth);
  });
  gauge('topo_thread_heap_used_bytes', 'V8 heap used by a worker thread', ['worker'], (g) => {
    for (const t of snap().threads) g.set({ worker: String(t.worker) }, t.heapUsedMB * 1048576);
  });
  counter('topo_thread_restarts_total', 'Times a worker thread died and was replaced', ['worker'], (c) => {
    for (const t of snap().threads) c.inc({ worker: String(t.worker) }, t.restarts);
  });
  gauge('topo_run_running', '1 while the run is running, 0 once it ended', [], (g) => g.set(snap().status === 'running' ? 1 : 0));
  gauge('topo_run_degraded', '1 while the run is running with trouble (errors in the last seconds, a store unreachable)', [], (g) => g.set(snap().health.degraded ? 1 : 0));
  gauge('topo_run_pending_trees', 'Tracked tuple trees in flight (all spouts)', [], (g) => g.set(snap().pending));
  counter('topo_run_restarts_total', 'Worker thread restarts in the run', [], (c) => c.inc(snap().restarts));
  return register;
}

function* executeFigures(components: readonly ComponentFigures[]): Iterable<SummaryFigures> {
  for (const f of components) {
    if (f.kind !== 'bolt' || f.executeSamples.count === 0) continue;
    yield { labels: { component: f.id }, quantiles: [], sum: f.executeSamples.sumMs / 1000, count: f.executeSamples.count };
  }
}

function* completeFigures(components: readonly ComponentFigures[]): Iterable<SummaryFigures> {
  for (const f of components) {
    const l = f.completeLatencyMs;
    if (!l) continue;
    const at: Readonly<Record<number, number>> = { 0.5: l.p50, 0.9: l.p90, 0.99: l.p99, 0.999: l.p999 };
    yield { labels: { component: f.id }, quantiles: COMPLETE_QUANTILES.map((q) => [q, at[q]! / 1000] as const), sum: l.sumMs / 1000, count: l.count };
  }
}
