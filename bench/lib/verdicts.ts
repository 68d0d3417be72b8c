/**
 * The targets of issue 18 (performance against peers, scaling, latency) and of issue 14 (YSB),
 * each read from the rows of this run and judged met or missed. A target whose rows this run
 * did not produce (an `--only` run) is "not measured", never a guess.
 *
 * Rows are found by scenario name and variant; rows other scenarios add are read defensively:
 *   duckdb-batch     `extra.ratio` (batch threads-2 wall / DuckDB wall) if present, else
 *                    its `extra.elapsedMs` (or `extra.wallMs`) against batch threads-2's
 *                    `extra.elapsedMs`
 *   pageviews-redis  `extra.redisUsPerEvent` (or a top-level `redisUsPerEvent`): Redis CPU per event
 */
import type { ChildReport, ScenarioResult } from './report.js';

export interface Verdict {
  target: string;
  /** The measured figure as printed (ratio, milliseconds, ...), or null when not measured. */
  measured: string | null;
  status: 'met' | 'missed' | 'not measured';
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function row(reports: readonly ChildReport[], scenario: string, variant?: string): ScenarioResult | undefined {
  for (const rep of reports) {
    if (rep.scenario !== scenario) continue;
    for (const r of rep.results) if (variant === undefined || r.config['variant'] === variant) return r;
  }
  return undefined;
}

function judge(target: string, value: number | undefined, ok: (v: number) => boolean, show: (v: number) => string): Verdict {
  if (value === undefined) return { target, measured: null, status: 'not measured' };
  return { target, measured: show(value), status: ok(value) ? 'met' : 'missed' };
}

const ratio = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined || b === undefined || b <= 0 ? undefined : a / b;

const x = (v: number): string => `${v.toFixed(2)}x`;
const ms = (v: number): string => `${v.toFixed(2)} ms`;

/** Batch threads-2 wall over DuckDB wall. */
function duckdbRatio(reports: readonly ChildReport[]): number | undefined {
  const duck = row(reports, 'duckdb-batch');
  if (!duck) return undefined;
  const given = num(duck.extra?.['ratio']);
  if (given !== undefined) return given;
  const duckWall = num(duck.extra?.['elapsedMs']) ?? num(duck.extra?.['wallMs']);
  // Each variant is a report of its own: look through all of them.
  const batch = reports.filter((r) => r.scenario === 'batch').flatMap((r) => r.results).find((r) => r.config['threads'] === 2);
  return ratio(num(batch?.extra?.['elapsedMs']), duckWall);
}

/** YSB: the highest offered load of at least 170 k/s whose delivered rate kept up (>= 95%), and its p99. */
function ysb(reports: readonly ChildReport[]): Verdict {
  const target = 'YSB (issue 14): p99 < 1.5 s at >= 170 k events/s, acking on';
  const rows = reports.filter((r) => r.scenario === 'ysb').flatMap((r) => r.results)
    .filter((r) => (num(r.config['rate']) ?? 0) >= 170_000 && r.config['chaos'] !== true);
  if (rows.length === 0) return { target, measured: null, status: 'not measured' };
  const judged = rows.map((r) => {
    const rate = num(r.tuplesPerSec) ?? 0;
    const p99 = num(r.latency?.p99us);
    const kept = rate >= 0.95 * (num(r.config['rate']) ?? Infinity);
    return { r, rate, p99, ok: kept && p99 !== undefined && p99 < 1_500_000 };
  });
  const best = judged.find((j) => j.ok) ?? judged[0]!;
  const p99 = best.p99 === undefined ? 'no windows' : `${(best.p99 / 1e6).toFixed(2)} s`;
  return { target, measured: `p99 ${p99} at ${(best.rate / 1000).toFixed(0)} k/s (${String(best.r.config['variant'])})`, status: best.ok ? 'met' : 'missed' };
}

export function verdicts(reports: readonly ChildReport[]): Verdict[] {
  const rate = (s: string, v?: string): number | undefined => num(row(reports, s, v)?.tuplesPerSec);
  const pv = row(reports, 'pageviews-redis');
  const redisUs = num(pv?.extra?.['redisUsPerEvent']) ?? num((pv as Record<string, unknown> | undefined)?.['redisUsPerEvent']);
  // A rate row with no steady-state samples fell behind from the start: judged on its whole-run p99.
  const p99At = (v: string): number | undefined => {
    const r = row(reports, 'throughput-vs-latency', v);
    const whole = r?.extra?.['wholeRunFromIntendedUs'] as { p99us?: unknown } | undefined;
    const us = (r?.latency?.samples ?? 0) > 0 ? num(r?.latency?.p99us) : num(whole?.p99us);
    return us === undefined ? undefined : us / 1000;
  };
  return [
    judge('batch wall (2 threads) <= 2.0x DuckDB', duckdbRatio(reports), (v) => v <= 2.0, x),
    judge('pageviews-redis >= 10x bullmq-pageviews', ratio(rate('pageviews-redis'), rate('bullmq-pageviews')), (v) => v >= 10, x),
    judge('pageviews-redis Redis CPU <= 6 us per event', redisUs, (v) => v <= 6, (v) => `${v.toFixed(1)} us`),
    judge('wordcount acking on, 2 workers / 1 worker >= 1.6', ratio(rate('wordcount', 'ack-wN'), rate('wordcount', 'ack-w1')), (v) => v >= 1.6, x),
    judge('const-spout-id-bolt-null-bolt acking off, 2 workers >= 0.8x raw-channel',
      ratio(rate('const-spout-id-bolt-null-bolt', 'noack-wN'), rate('raw-channel')), (v) => v >= 0.8, x),
    judge('complete latency p99 < 1 ms at 100 k tuples/s (acking on, 2 workers)', p99At('target-100k/s'), (v) => v < 1, ms),
    judge('complete latency p99 < 2 ms at 50% of max (acking on, 2 workers)', p99At('50%-of-max'), (v) => v < 2, ms),
    ysb(reports),
  ];
}

export function printVerdicts(list: readonly Verdict[]): void {
  console.log('\ntargets (issue 18, issue 14):');
  const w = Math.max(...list.map((v) => v.target.length));
  for (const v of list) console.log(`  ${v.target.padEnd(w)}  ${(v.measured ?? '-').padEnd(12)}  ${v.status}`);
}
