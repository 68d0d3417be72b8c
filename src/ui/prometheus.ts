/**
 * `/metrics` in the Prometheus text format, through prom-client: the process's own metrics
 * (CPU, memory, event loop lag) and, during `topo run --ui`, the live figures of the run.
 * Values are read from the latest LiveFigures sample at scrape time (collect callbacks), so
 * a scrape costs no message to the workers. Totals are counters (reset and set to the
 * current total on each scrape: the supervisor's totals only grow, threads that died
 * included), so `rate(topo_component_acked_total[1m])` works as users expect.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { LiveFigures } from './live.js';

type Totals = 'emitted' | 'executed' | 'acked' | 'failed' | 'errors' | 'replayed';
const TOTALS: readonly Totals[] = ['emitted', 'executed', 'acked', 'failed', 'errors', 'replayed'];

export function metricsRegistry(live: LiveFigures | null, topology: string): Registry {
  const register = new Registry();
  register.setDefaultLabels({ topology });
  collectDefaultMetrics({ register, prefix: 'topo_' });
  if (!live) return register;

  const snap = () => live.snapshot();
  const componentLabels = ['component', 'kind'] as const;
  for (const name of TOTALS) {
    const c: Counter<'component' | 'kind'> = new Counter({
      name: `topo_component_${name}_total`, help: `Tuples ${name} per component (all tasks, threads that died included)`,
      labelNames: componentLabels, registers: [register],
      collect() {
        c.reset();
        for (const f of snap().components) c.inc({ component: f.id, kind: f.kind }, f[name]);
      },
    });
  }
  const gauge = (name: string, help: string, labelNames: readonly string[], fill: (g: Gauge) => void): void => {
    const g: Gauge = new Gauge({ name, help, labelNames, registers: [register], collect() { g.reset(); fill(g); } });
  };
  gauge('topo_component_capacity', 'Busiest task busy time / wall time over the last seconds (bolts)', componentLabels, (g) => {
    for (const f of snap().components) if (f.capacity !== null) g.set({ component: f.id, kind: f.kind }, f.capacity);
  });
  gauge('topo_component_execute_latency_ms', 'Mean sampled execute latency (bolts)', componentLabels, (g) => {
    for (const f of snap().components) if (f.executeLatencyMs !== null) g.set({ component: f.id, kind: f.kind }, f.executeLatencyMs);
  });
  gauge('topo_component_parallelism', 'Tasks per component', componentLabels, (g) => {
    for (const f of snap().components) g.set({ component: f.id, kind: f.kind }, f.parallelism);
  });
  gauge('topo_spout_pending_trees', 'Tracked tuple trees in flight per spout', ['component'], (g) => {
    for (const f of snap().components) if (f.pending !== null) g.set({ component: f.id }, f.pending);
  });
  gauge('topo_spout_complete_latency_ms', 'Complete latency of the trees a spout rooted, since the start', ['component', 'quantile'], (g) => {
    for (const f of snap().components) {
      if (!f.completeLatencyMs) continue;
      g.set({ component: f.id, quantile: '0.5' }, f.completeLatencyMs.p50);
      g.set({ component: f.id, quantile: '0.99' }, f.completeLatencyMs.p99);
    }
  });
  gauge('topo_thread_queue_depth', 'Tuples queued in a worker thread', ['worker'], (g) => {
    for (const t of snap().threads) g.set({ worker: String(t.worker) }, t.queueDepth);
  });
  gauge('topo_thread_heap_used_bytes', 'V8 heap used by a worker thread', ['worker'], (g) => {
    for (const t of snap().threads) g.set({ worker: String(t.worker) }, t.heapUsedMB * 1048576);
  });
  gauge('topo_thread_restarts', 'Times a worker thread died and was replaced', ['worker'], (g) => {
    for (const t of snap().threads) g.set({ worker: String(t.worker) }, t.restarts);
  });
  gauge('topo_run_running', '1 while the run is running, 0 once it ended', [], (g) => g.set(snap().status === 'running' ? 1 : 0));
  gauge('topo_run_pending_trees', 'Tracked tuple trees in flight (all spouts)', [], (g) => g.set(snap().pending));
  gauge('topo_run_restarts', 'Worker thread restarts in the run', [], (g) => g.set(snap().restarts));
  return register;
}
