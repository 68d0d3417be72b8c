/**
 * The `batch` scenario: `topo batch` over a master dataset of the shipped log replayed with
 * shifted timestamps (each loop moved by the log's span plus a minute, so nothing repeats),
 * ~1 M events (100 k with --quick), into a redis-server this benchmark starts, with 1 and 2
 * pool threads. Reports events/s, the compute/publish split, this process's and Redis's CPU
 * and Redis's commands (the per-event costs, which a shared machine does not stretch) of the
 * second of two runs (the first derives the parts' binary forms, as a batch loop's first run does). Then
 * checks the published views against DuckDB's over the same files (batch-check.ts).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { PageviewRecord as MasterRecord } from '../../topologies/pageviews/dataset.js';
import { runBatch } from '../../src/batch/runner/run.js';
import { parseApacheLine } from '../../topologies/pageviews/parse-apache.js';
import { startRedis } from '../../test/helpers/redis-server.js';
import type { ScenarioResult } from './report.js';
import { checkAgainstDuckdb } from './batch-check.js';
import { redisCommandStats, redisCpuSec } from './redis-stats.js';

export function generate(root: string, events: number): number {
  const lines = readFileSync('topologies/data/apache_logs.log', 'utf8').split('\n').filter((l) => l !== '');
  const base: MasterRecord[] = [];
  lines.forEach((line, i) => {
    const r = parseApacheLine(line, { id: `apache_logs.log:${i + 1}`, host: 'semicomplete.com' });
    if (!r.ok) return;
    const e = r.event;
    base.push({ id: e.id, url: e.url, host: 'semicomplete.com', path: e.path, ip: e.ip, user: e.user, ts: e.ts,
      method: e.method, status: e.status, bytes: e.bytes, referrer: e.referrer, userAgent: e.userAgent });
  });
  const span = Math.max(...base.map((r) => r.ts)) - Math.min(...base.map((r) => r.ts)) + 60_000;
  let n = 0;
  for (let k = 0; n < events; k++) {
    const byDate = new Map<string, string[]>();
    for (const r of base) {
      if (n >= events) break;
      const ts = r.ts + k * span;
      const date = new Date(ts).toISOString().slice(0, 10);
      const list = byDate.get(date) ?? [];
      list.push(JSON.stringify({ ...r, id: `${r.id}#${k}`, ts }));
      byDate.set(date, list);
      n++;
    }
    for (const [date, list] of byDate) {
      const dir = join(root, 'pageviews', `date=${date}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `part-loop${String(k).padStart(4, '0')}.jsonl`), `${list.join('\n')}\n`);
    }
  }
  return n;
}

export async function batchScenario(quick: boolean, variant: string): Promise<ScenarioResult> {
  const threads = variant === 'threads-2' ? 2 : 1;
  const root = mkdtempSync(join(tmpdir(), 'topo-bench-batch-'));
  let server = await startRedis();
  let redis = new Redis(server.port, '127.0.0.1');
  try {
    const events = generate(root, quick ? 100_000 : 1_000_000);
    // The first run over the fresh dataset also derives each part's binary form
    // (src/batch/master/binary-form.ts), which every later run reads instead of the JSON
    // Lines, as a `topo batch --every` loop does from its second run on: the second run is
    // the one timed and checked; the first's wall and CPU are reported beside it. With
    // BENCH_BATCH_FRESH_REDIS=1 the second writes into a fresh redis-server; by default into
    // the one holding the first version, as a batch loop's runs do (the previous version
    // stays for rollback), which costs Redis more CPU than an empty server.
    const fresh = process.env['BENCH_BATCH_FRESH_REDIS'] === '1';
    const first0 = process.cpuUsage();
    const first = await runBatch(redis, { file: 'topologies/pageviews.ts', root, threads });
    const firstCpu = process.cpuUsage(first0);
    if (fresh) {
      redis.disconnect();
      await server.dispose();
      server = await startRedis();
      redis = new Redis(server.port, '127.0.0.1');
    }
    await redis.config('RESETSTAT');
    const cpu0 = await redisCpuSec(redis);
    // This process's CPU (main thread and pool threads): per event, it shows the work done
    // even when a shared machine stretches the wall clock.
    const own0 = process.cpuUsage();
    const r = await runBatch(redis, { file: 'topologies/pageviews.ts', root, threads });
    if (r.records !== events) throw new Error(`batch read ${r.records} records of ${events}`);
    // Redis's own CPU during the run: the batch writes ~1.1 cells per event (pageviews and
    // uniques once per cell, bounces merged by scripts).
    const own = process.cpuUsage(own0);
    const redisCpu = (await redisCpuSec(redis)) - cpu0;
    const commands = await redisCommandStats(redis);
    const keys = Object.fromEntries(r.published.map((p) => [p.view, p.keys]));
    // Not timed: the published views must be DuckDB's (throws, failing the scenario, if not).
    const check = await checkAgainstDuckdb(redis, r.namespace, root, r.events, keys);
    return {
      name: 'batch',
      config: { events, threads, files: r.files, redis: fresh ? 'fresh' : 'holding the previous version' },
      tuplesPerSec: Math.round(events / (r.elapsedMs / 1000)),
      extra: {
        firstRun: { elapsedMs: first.elapsedMs, cpuSec: Math.round((firstCpu.user + firstCpu.system) / 1e5) / 10 },
        elapsedMs: r.elapsedMs, computeMs: r.computeMs, publishMs: r.publishMs, redisCpuSec: Math.round(redisCpu * 10) / 10,
        cpuSec: Math.round((own.user + own.system) / 1e5) / 10,
        keys, events: r.events, duplicates: r.duplicates, redisCommands: commands, duckdbCheck: check,
      },
    };
  } finally {
    redis.disconnect();
    await server.dispose();
    rmSync(root, { recursive: true, force: true });
  }
}
