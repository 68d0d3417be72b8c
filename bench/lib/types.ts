/** Shapes shared by every scenario and the harness that prints them. */
import type { LatencySummary } from './transport.js';

export interface ScenarioResult {
  name: string;
  config: Record<string, unknown>;
  /** Throughput scenarios (tuples or words per second). */
  tuplesPerSec?: number;
  /** Every timed repetition behind `tuplesPerSec` (which is their median). */
  samples?: number[];
  /** Micro-benchmarks report operations per second instead. */
  opsPerSec?: number;
  /** Relative margin of error in percent, where the tool provides one. */
  rme?: number;
  latency?: LatencySummary | undefined;
}

/** What the child process prints (as one JSON line) for the parent harness. */
export interface ChildReport {
  scenario: string;
  results: ScenarioResult[];
  /** process.resourceUsage().maxRSS, in bytes; covers all worker threads. */
  peakRssBytes: number;
}
