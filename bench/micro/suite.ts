/**
 * Thin wrapper over the `benchmark` package: runs a set of named functions
 * synchronously and turns each into a ScenarioResult row (ops/s and the
 * relative margin of error the package computes).
 */
import Benchmark from 'benchmark';
import type { ScenarioResult } from '../lib/report.js';

export interface MicroCase {
  name: string;
  config?: Record<string, unknown>;
  fn: () => void;
}

export function runSuite(suiteName: string, cases: MicroCase[], quick: boolean): ScenarioResult[] {
  const suite = new Benchmark.Suite(suiteName);
  for (const c of cases) {
    // Quick mode trades precision (larger rme) for a short run.
    suite.add(c.name, c.fn, quick ? { maxTime: 0.5, minSamples: 5 } : { maxTime: 3, minSamples: 20 });
  }
  const results: ScenarioResult[] = [];
  suite.on('cycle', (ev: Benchmark.Event) => {
    const b = ev.target as unknown as Benchmark;
    const c = cases.find((x) => x.name === b.name)!;
    results.push({
      name: `${suiteName}:${c.name}`,
      config: { ...c.config },
      opsPerSec: b.hz,
      rme: b.stats.rme,
    });
  });
  suite.on('error', (ev: Benchmark.Event) => {
    throw (ev.target as unknown as { error: unknown }).error;
  });
  suite.run({ async: false });
  return results;
}
