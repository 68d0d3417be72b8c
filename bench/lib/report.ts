/**
 * Result shapes shared by every scenario, and the plain-text table the
 * harness prints from them.
 */
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

function fmtRate(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return n.toFixed(0);
}

/** Only the config keys that distinguish rows; the full config is in the JSON file. */
function fmtConfig(r: ScenarioResult): string {
  const keys = ['transport', 'mode', 'layout', 'payloadOnly', 'variant'];
  return keys
    .filter((k) => r.config[k] !== undefined && r.config[k] !== false)
    .map((k) => `${k}=${String(r.config[k])}`)
    .join(' ');
}

export function printTable(reports: ChildReport[], limitRate: number | undefined): void {
  const header = ['scenario', 'config', 'rate/s', 'vs limit', 'p50/p99 1-way us', 'peak RSS'];
  const rows: string[][] = [];
  for (const rep of reports) {
    for (const r of rep.results) {
      const rate = r.tuplesPerSec ?? r.opsPerSec;
      const unit = r.tuplesPerSec !== undefined ? '' : ' ops';
      rows.push([
        r.name,
        fmtConfig(r),
        rate === undefined ? '-' : `${fmtRate(rate)}${unit}${r.rme !== undefined ? ` ±${r.rme.toFixed(1)}%` : ''}`,
        r.tuplesPerSec !== undefined && limitRate ? `${(r.tuplesPerSec / limitRate).toFixed(3)}x` : '-',
        r.latency ? `${r.latency.p50us.toFixed(1)} / ${r.latency.p99us.toFixed(1)}` : '-',
        `${(rep.peakRssBytes / 2 ** 20).toFixed(0)} MB`,
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}
