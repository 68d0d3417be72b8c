/**
 * The `duckdb-batch` scenario: the peer of `batch`. DuckDB computes the same three views
 * (duckdb-views.ts) over the same master files (batch.ts `generate`: the shipped log
 * replayed to ~1 M records, 100 k with --quick), with 2 threads as `batch`'s threads-2 row
 * has 2 pool threads. Reports events/s (records over wall time, as `batch` does), wall and
 * this process's CPU (DuckDB's threads run in it). The check that both give the same counts
 * runs in the `batch` scenario (batch-check.ts), against its published views.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from './batch.js';
import { duckdbViews } from './duckdb-views.js';
import type { ScenarioResult } from './report.js';

export const DUCKDB_THREADS = 2;

export async function duckdbBatchScenario(quick: boolean): Promise<ScenarioResult> {
  const root = mkdtempSync(join(tmpdir(), 'topo-bench-duckdb-'));
  try {
    const records = generate(root, quick ? 100_000 : 1_000_000);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await duckdbViews(root, { threads: DUCKDB_THREADS });
    const elapsedMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (r.records !== records) throw new Error(`DuckDB read ${r.records} records of ${records}`);
    return {
      name: 'duckdb-batch',
      config: { events: records, threads: DUCKDB_THREADS },
      tuplesPerSec: Math.round(records / (elapsedMs / 1000)),
      extra: {
        elapsedMs: Math.round(elapsedMs), cpuSec: Math.round((cpu.user + cpu.system) / 1e5) / 10,
        events: r.events, rows: r.rows, version: (await import('@duckdb/node-api')).version(),
      },
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
