/**
 * skewed-shuffle: complete latency (p50/p99 from each tuple's intended emit time) of a shuffle
 * to two bolt tasks, one slowed (see bench/topologies/skewed-shuffle.ts), with the load-aware
 * shuffle off and on, and the same two with both tasks equal as the control (what load-aware
 * costs when there is no skew). Each variant is its own child process of one run, on 2 worker
 * threads with acking on, at one offered rate:
 *
 *   slow task: stalls 2 ms every 10 tuples, so it takes at most ~5 k tuples/s;
 *   offered:   12 k tuples/s, so a plain shuffle hands it ~6 k/s, more than it can take: its
 *              queue grows until maxSpoutPending holds the spout back, while the other task,
 *              on the spout's thread, idles most of the time. The whole pipeline could take
 *              it: the other task alone takes over 100 k/s.
 */
import { tmpdir } from 'node:os';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { RateSpoutReport } from '../topologies/rate-spout-id-bolt-null-bolt.js';
import type { ScenarioResult } from './report.js';
import { spoutDurationMs, topologyFile } from './topology.js';

export const SKEWED_VARIANTS = ['skewed-shuffle', 'skewed-load-aware', 'even-shuffle', 'even-load-aware'] as const;

const RATE = 12_000;
const SLOW_MS = 2;
const SLOW_EVERY = 10;

export async function skewedShuffle(quick: boolean, variant: string): Promise<ScenarioResult> {
  if (!(SKEWED_VARIANTS as readonly string[]).includes(variant)) throw new Error(`unknown variant ${variant}`);
  const skewed = variant.startsWith('skewed-');
  const loadAware = variant.endsWith('-load-aware');
  const durationMs = spoutDurationMs(quick);
  const file = path.join(tmpdir(), `topo-bench-skewed-${process.pid}.json`);
  const { runTopology } = await import('../../src/runtime/local.js');
  const handle = await runTopology(topologyFile('skewed-shuffle'), {
    config: {
      'bench.durationMs': durationMs, 'bench.rate': RATE, 'bench.latencyOut': file,
      'bench.slowMs': skewed ? SLOW_MS : 0, 'bench.slowEvery': SLOW_EVERY, loadAwareShuffle: loadAware,
    },
    overrides: { workers: 2 },
  });
  const summary = await handle.completion;
  if (summary.status !== 'completed') throw new Error(`skewed-shuffle: run ended ${summary.status}${summary.error ? `: ${summary.error}` : ''}`);
  const r = JSON.parse(readFileSync(file, 'utf8')) as RateSpoutReport;
  rmSync(file, { force: true });
  // How the shuffle split the tuples between the slow task (thread 1) and the other (thread 0).
  const assignment = handle.supervisor.assignment;
  const executedByThread: Record<string, number> = {};
  for (const t of handle.supervisor.book.tasks()) {
    if (t.component === 'work') executedByThread[`thread${assignment.taskWorker[t.taskId]}`] = t.executed;
  }
  const executed = summary.bolts['work']!.executed;
  return {
    name: 'skewed-shuffle',
    config: {
      variant, workers: 2, rate: RATE, slow: skewed ? `${SLOW_MS}ms/${SLOW_EVERY} tuples` : 'none', loadAwareShuffle: loadAware,
      'bench.durationMs': durationMs, 'whole-run-p99': `${(r.all.p99us / 1000).toFixed(1)}ms`,
    },
    tuplesPerSec: executed / (Math.max(summary.elapsedMs, 1) / 1000),
    latency: { kind: 'intended', p50us: r.p50us, p99us: r.p99us, p999us: r.p999us, maxus: r.maxus, samples: r.steadySamples },
    extra: {
      executedByThread,
      wholeRunFromIntendedUs: r.all,
      maxLagMs: r.maxLagMs,
      failed: r.failed,
      runtimeCompleteLatencyMs: summary.completeLatencyMs,
      elapsedMs: summary.elapsedMs,
    },
  };
}
