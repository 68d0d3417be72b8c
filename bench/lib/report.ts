/**
 * Result shapes shared by every scenario, and the plain-text table the
 * harness prints from them.
 */
import type { LatencySummary } from './transport.js';
import { DEFAULT_MAX_SPOUT_PENDING } from '../../src/runtime/config.js';

/**
 * Latency of a row. Transport rows: one-way estimates (round trip / 2). Topology rows:
 * 'complete' (the runtime's complete latency, from the actual emit to the ack) or
 * 'intended' (from the tuple's intended emit time: corrected for coordinated omission).
 */
export type RowLatency = LatencySummary & { kind?: 'one-way' | 'complete' | 'intended'; p999us?: number };

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
  latency?: RowLatency | undefined;
  /** Redis CPU (INFO cpu, user + sys) per event, microseconds: rows whose work includes a Redis. */
  redisUsPerEvent?: number;
  /** Anything else worth keeping in the JSON file (not printed). */
  extra?: Record<string, unknown>;
}

/** What the child process prints (as one JSON line) for the parent harness. */
export interface ChildReport {
  scenario: string;
  /** For scenarios run once per variant, each in its own child. */
  variant?: string;
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
  const keys = ['transport', 'mode', 'layout', 'payloadOnly', 'variant', 'events', 'workers', 'ackers', 'threads', 'rate'];
  const shown = keys
    .filter((k) => r.config[k] !== undefined && r.config[k] !== false)
    .map((k) => `${k}=${String(r.config[k])}`);
  // Topology rows run at the runtime's default maxSpoutPending unless this says otherwise.
  const msp = r.config['maxSpoutPending'];
  if (msp !== undefined && msp !== DEFAULT_MAX_SPOUT_PENDING) shown.push(`maxSpoutPending=${String(msp)}`);
  return shown.join(' ');
}

function fmtUs(us: number): string {
  return us >= 10_000 ? `${(us / 1000).toFixed(1)}ms` : `${us.toFixed(1)}us`;
}

function fmtLatency(l: RowLatency | undefined): string {
  if (!l) return '-';
  const parts = [l.p50us, l.p99us, ...(l.p999us !== undefined ? [l.p999us] : [])].map(fmtUs);
  const tag = l.kind === 'complete' ? ' (c)' : l.kind === 'intended' ? ' (i)' : '';
  return `${parts.join(' / ')}${tag}`;
}

/** A row's variant; batch rows carry their pool size as `threads` instead. */
function variantOf(r: ScenarioResult): string | undefined {
  const v = r.config['variant'];
  if (typeof v === 'string') return v;
  return typeof r.config['threads'] === 'number' ? `threads-${r.config['threads']}` : undefined;
}

/** The variant a multi-thread row scales from: `ack-wN` from `ack-w1`, `threads-2` from `threads-1`. */
function singleThreadVariant(variant: string | undefined): string | undefined {
  if (variant === undefined) return undefined;
  if (variant.endsWith('-wN')) return `${variant.slice(0, -3)}-w1`;
  if (/^threads-([2-9]|\d{2,})$/.test(variant)) return 'threads-1';
  return undefined;
}

/** Rate of a multi-thread row over its single-thread variant in the same run (issue 18: scaling). */
export function scalingRatio(reports: readonly ChildReport[], scenario: string, r: ScenarioResult): number | undefined {
  const from = singleThreadVariant(variantOf(r));
  if (from === undefined || r.tuplesPerSec === undefined) return undefined;
  const base = reports.filter((x) => x.scenario === scenario).flatMap((x) => x.results).find((x) => variantOf(x) === from);
  return base?.tuplesPerSec !== undefined && base.tuplesPerSec > 0 ? r.tuplesPerSec / base.tuplesPerSec : undefined;
}

/**
 * `peers`: scenario name -> the scenario a Node user would otherwise pick for the same work
 * (wordcount -> bullmq-wordcount); its row's rate, measured in this run, is the denominator.
 */
export function printTable(reports: ChildReport[], limitRate: number | undefined, peers: ReadonlyMap<string, string> = new Map()): void {
  const header = ['scenario', 'config', 'rate/s', 'vs limit', 'vs peer', 'vs 1 thread', 'latency p50 / p99 [/ p99.9]', 'peak RSS'];
  // Only when a row measured it: the column would be empty for most selections.
  const redisCpu = reports.some((rep) => rep.results.some((r) => r.redisUsPerEvent !== undefined));
  if (redisCpu) header.push('Redis CPU/event');
  const cores = reports.some((rep) => rep.results.some((r) => typeof r.extra?.['coresUsed'] === 'number'));
  if (cores) header.push('cores used');
  const rows: string[][] = [];
  const peerCell = (scenario: string, rate: number | undefined): string => {
    const peer = peers.get(scenario);
    const peerRate = peer === undefined ? undefined : reports.find((x) => x.scenario === peer)?.results[0]?.tuplesPerSec;
    if (rate === undefined || peerRate === undefined || peerRate <= 0) return '-';
    // A row slower than its peer (batch against DuckDB) needs the second digit.
    const ratio = rate / peerRate;
    return `${ratio.toFixed(ratio < 1 ? 2 : 1)}x ${peer}`;
  };
  for (const rep of reports) {
    for (const r of rep.results) {
      const rate = r.tuplesPerSec ?? r.opsPerSec;
      const unit = r.tuplesPerSec !== undefined ? '' : ' ops';
      rows.push([
        r.name,
        fmtConfig(r),
        rate === undefined ? '-' : `${fmtRate(rate)}${unit}${r.rme !== undefined ? ` ±${r.rme.toFixed(1)}%` : ''}`,
        r.tuplesPerSec !== undefined && limitRate ? `${(r.tuplesPerSec / limitRate).toFixed(3)}x` : '-',
        peerCell(rep.scenario, r.tuplesPerSec),
        ((v) => (v === undefined ? '-' : `${v.toFixed(2)}x`))(scalingRatio(reports, rep.scenario, r)),
        fmtLatency(r.latency),
        `${(rep.peakRssBytes / 2 ** 20).toFixed(0)} MB`,
        ...(redisCpu ? [r.redisUsPerEvent === undefined ? '-' : `${r.redisUsPerEvent.toFixed(1)}us`] : []),
        ...(cores ? [((v) => (typeof v === 'number' ? v.toFixed(2) : '-'))(r.extra?.['coresUsed'])] : []),
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  console.log('\nvs 1 thread: rate over the same scenario on 1 worker thread (1 pool thread for batch), same acking, same run');
  console.log('latency: one-way (transport rows), (c) complete latency from the actual emit, (i) from the intended emit time');
  if (cores) console.log('cores used: process CPU seconds (every thread: workers, main, V8 GC and compiler) over wall seconds, activation to the end of the run');
}
