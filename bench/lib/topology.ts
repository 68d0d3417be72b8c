/**
 * Runs the topology modules in bench/topologies/ through the in-process API, over worker
 * threads (a file path, bundled by the runtime's loader, exactly as `topo run` does).
 *
 * One row per variant: acking on (runtime default ackers) or off (`ackers: 0`), on one
 * worker thread or on N = availableParallelism() threads. Each variant runs in its own
 * child process (see run.ts) so its peak RSS is its own. The spout's budget is config
 * (`bench.durationMs`, the `-c` layer), and the rate is
 *   (tuples executed by the last bolt) / RunSummary.elapsedMs,
 * where elapsedMs runs from activation to the end of the run (drain, finish and close
 * included, as a user would see it). maxSpoutPending is left at the runtime default.
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { RunSummary } from '../../src/runtime/summary.js';
import type { ScenarioResult } from './report.js';

export const TOPOLOGY_VARIANTS = ['ack-w1', 'noack-w1', 'ack-wN', 'noack-wN'] as const;
export type TopologyVariant = (typeof TOPOLOGY_VARIANTS)[number];

export interface TopologyBench {
  /** Module under bench/topologies/, without extension. */
  topology: string;
  /** The component whose executed count is the throughput. */
  lastBolt: string;
  /** What one executed tuple of the last bolt is ('words' for wordcount). */
  unit: string;
}

export interface RunOnce {
  summary: RunSummary;
  rate: number;
  /**
   * This process's CPU time (every thread) per executed tuple of the last bolt, in us: the
   * work a row costs, which a shared machine's wall clock does not stretch as it does the rate.
   */
  cpuUsPerUnit: number;
  /**
   * Cores the run kept busy: this process's CPU time from activation to the end of the run
   * over that wall time. A 1-worker run uses more than one (V8's GC and compiler threads and
   * the main thread take the second core), which bounds what 2 workers on 2 cores can gain.
   */
  coresUsed: number;
  config: { workers: number; ackers: number; maxSpoutPending: number; tasks: Record<string, number> };
}

/** Spout budget per run: quick ~2 s, full ~8 s. */
export function spoutDurationMs(quick: boolean): number {
  return quick ? 2000 : 8000;
}

export function topologyFile(name: string): string {
  // Children are spawned with the project root as their working directory.
  return path.join(process.cwd(), 'bench', 'topologies', `${name}.ts`);
}

/** One run of a topology file; throws unless it completed with every tree acked. */
export async function runOnce(
  bench: TopologyBench, config: Record<string, unknown>, overrides: Record<string, unknown>,
): Promise<RunOnce> {
  const { runTopology } = await import('../../src/runtime/local.js');
  const cpu0 = process.cpuUsage();
  const handle = await runTopology(topologyFile(bench.topology), { config, overrides });
  const runCpu0 = process.cpuUsage();
  const runWall0 = performance.now();
  const summary = await handle.completion;
  const cpu = process.cpuUsage(cpu0);
  const runCpu = process.cpuUsage(runCpu0);
  const runWallMs = performance.now() - runWall0;
  const eff = handle.supervisor.config;
  const tasks: Record<string, number> = {};
  for (const c of handle.supervisor.plan.components) tasks[c.id] = c.parallelism;
  if (summary.status !== 'completed') {
    throw new Error(`${bench.topology}: run ended ${summary.status}${summary.error ? `: ${summary.error}` : ''}`);
  }
  const errors = Object.entries(summary.lastErrors);
  if (errors.length > 0) throw new Error(`${bench.topology}: component errors: ${JSON.stringify(Object.fromEntries(errors))}`);
  for (const [id, s] of Object.entries(summary.spouts)) {
    if (s.failed > 0) throw new Error(`${bench.topology}: spout ${id} saw ${s.failed} failed trees`);
  }
  const executed = summary.bolts[bench.lastBolt]?.executed;
  if (executed === undefined) throw new Error(`${bench.topology}: no bolt '${bench.lastBolt}' in the summary`);
  return {
    summary,
    rate: executed / (Math.max(summary.elapsedMs, 1) / 1000),
    cpuUsPerUnit: (cpu.user + cpu.system) / Math.max(executed, 1),
    coresUsed: (runCpu.user + runCpu.system) / 1000 / Math.max(runWallMs, 1),
    config: { workers: eff.workers, ackers: eff.ackers, maxSpoutPending: eff.maxSpoutPending, tasks },
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

/** The rows of `bench` for one variant: quick runs once, full three times (median). */
export async function topologyRow(name: string, bench: TopologyBench, variant: string, quick: boolean): Promise<ScenarioResult> {
  if (!(TOPOLOGY_VARIANTS as readonly string[]).includes(variant)) throw new Error(`unknown variant ${variant}`);
  const acking = variant.startsWith('ack-');
  const workers = variant.endsWith('-w1') ? 1 : availableParallelism();
  const durationMs = spoutDurationMs(quick);
  const reps = quick ? 1 : 3;
  const runs: RunOnce[] = [];
  for (let i = 0; i < reps; i++) {
    runs.push(await runOnce(bench, { 'bench.durationMs': durationMs }, acking ? { workers } : { workers, ackers: 0 }));
  }
  const rate = median(runs.map((r) => r.rate));
  const mid = runs.find((r) => r.rate === rate)!;
  const s = mid.summary;
  const lat = s.completeLatencyMs;
  return {
    name,
    config: { variant, ...mid.config, 'bench.durationMs': durationMs, reps, unit: bench.unit },
    tuplesPerSec: rate,
    samples: runs.map((r) => r.rate),
    latency: lat
      ? { kind: 'complete', p50us: lat.p50 * 1000, p99us: lat.p99 * 1000, p999us: lat.p999 * 1000, maxus: lat.max * 1000, samples: lat.count }
      : undefined,
    extra: {
      cpuUsPerUnit: Math.round(mid.cpuUsPerUnit * 1000) / 1000,
      cpuUsPerUnitSamples: runs.map((r) => Math.round(r.cpuUsPerUnit * 1000) / 1000),
      coresUsed: Math.round(mid.coresUsed * 100) / 100,
      coresUsedSamples: runs.map((r) => Math.round(r.coresUsed * 100) / 100),
      elapsedMs: s.elapsedMs,
      lastBoltExecuted: s.bolts[bench.lastBolt]!.executed,
      spouts: s.spouts,
      bolts: s.bolts,
    },
  };
}
