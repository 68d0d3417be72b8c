/**
 * The `pageviews-redis` scenario: topologies/pageviews.ts over the shipped access log replayed
 * to ~1 M lines (30 k with --quick; timestamps shifted by the log's span on each loop, see
 * replay-log.ts), writing its views into a redis-server this benchmark starts, with the
 * master-dataset sink on (`master` pointed at a temp dir), as `topo run` would run it:
 * the Redis URL goes into the overrides layer as `{ redis: url }` (what src/cli/run.ts merges
 * from connectViews), `input` and `master` into the `-c` config layer.
 *
 * Rate = spout trees acked / RunSummary.elapsedMs (activation to end of run, drain and close
 * included). A line is acked only after its views are written to Redis and its fact is
 * fsynced to the master dataset, so this is events/s end to end.
 *
 * The `pageviews-memory` scenario runs the same with a given input length and
 * maxSpoutPending (variants `2M`, `2M-msp1000`, ...): the child's peak RSS is the figure (memory
 * must not grow with the input), and every second the run's per-thread heap is sampled, so a
 * row also says which thread holds the memory (`extra.heapPeakMB`, `extra.heapSamples`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startRedis } from '../../test/helpers/redis-server.js';
import type { ScenarioResult } from './report.js';
import { writeReplay } from './replay-log.js';
import { redisCommandStats, redisCpuSec } from './redis-stats.js';

export interface PageviewsRunOptions {
  readonly events: number;
  /** Overrides the topology's own maxSpoutPending when given. */
  readonly maxSpoutPending?: number;
  /** Row name (default pageviews-redis). */
  readonly name?: string;
}

/** `2M`, `500k-msp1000`: input lines and optional maxSpoutPending of a pageviews-memory variant. */
export function memoryVariant(variant: string): PageviewsRunOptions {
  const m = /^(\d+)([kM])(?:-msp(\d+))?$/.exec(variant);
  if (!m) throw new Error(`pageviews-memory: variant '${variant}' is not like 2M or 2M-msp1000`);
  const events = Number(m[1]) * (m[2] === 'M' ? 1_000_000 : 1000);
  return { events, name: 'pageviews-memory', ...(m[3] !== undefined ? { maxSpoutPending: Number(m[3]) } : {}) };
}

export async function pageviewsRedis(quick: boolean, o: PageviewsRunOptions = { events: quick ? 30_000 : 1_000_000 }): Promise<ScenarioResult> {
  const events = o.events;
  const tmp = mkdtempSync(path.join(tmpdir(), 'topo-bench-pageviews-'));
  const input = path.join(tmp, 'replay.log');
  const master = path.join(tmp, 'master');
  const rejects = path.join(tmp, 'rejects.jsonl');
  const server = await startRedis();
  const redis = new Redis(server.port, '127.0.0.1');
  let sampler: NodeJS.Timeout | undefined;
  try {
    await writeReplay(path.join(process.cwd(), 'topologies', 'data', 'apache_logs.log'), input, events);
    // Redis's CPU per event: its own work, which a shared machine does not stretch.
    await redis.config('RESETSTAT');
    const cpu0 = await redisCpuSec(redis);
    const { runTopology } = await import('../../src/runtime/local.js');
    const handle = await runTopology(path.join(process.cwd(), 'topologies', 'pageviews.ts'), {
      config: { input, master, rejects },
      overrides: { redis: server.url, ...(o.maxSpoutPending !== undefined ? { maxSpoutPending: o.maxSpoutPending } : {}) },
    });
    // Per-thread heap, sampled: [elapsed s, acked lines, main heap MB, worker heaps MB...].
    const heapPeakMB: Record<string, number> = {};
    const heapSamples: number[][] = [];
    const t0 = Date.now();
    let sampling = false;
    sampler = setInterval(() => {
      if (sampling) return;
      sampling = true;
      handle.metrics().then((m) => {
        const main = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
        heapPeakMB['main'] = Math.max(heapPeakMB['main'] ?? 0, main);
        for (const t of m.threads) heapPeakMB[`w${t.worker}`] = Math.max(heapPeakMB[`w${t.worker}`] ?? 0, t.heapUsedMB);
        heapSamples.push([Math.round((Date.now() - t0) / 1000), m.spouts['lines']?.acked ?? 0, main, ...m.threads.map((t) => t.heapUsedMB)]);
      }, () => {}).finally(() => (sampling = false));
    }, 1000);
    const s = await handle.completion;
    clearInterval(sampler);
    const redisCpu = (await redisCpuSec(redis)) - cpu0;
    const redisCommands = await redisCommandStats(redis);
    if (s.status !== 'completed') throw new Error(`pageviews: run ended ${s.status}${s.error ? `: ${s.error}` : ''}`);
    const errors = Object.entries(s.lastErrors);
    if (errors.length > 0) throw new Error(`pageviews: component errors: ${JSON.stringify(Object.fromEntries(errors))}`);
    const lines = s.spouts['lines'];
    if (!lines) throw new Error('pageviews: no spout "lines" in the summary');
    if (lines.failed > 0) throw new Error(`pageviews: ${lines.failed} failed trees`);
    if (lines.acked !== events) throw new Error(`pageviews: ${lines.acked} lines acked of ${events}`);
    // A sanity check that the views landed in this server, not in a memory store.
    const keys = await redis.dbsize();
    if (keys === 0) throw new Error('pageviews: no keys in the redis-server after the run');
    const eff = handle.supervisor.config;
    const lat = s.completeLatencyMs;
    return {
      name: o.name ?? 'pageviews-redis',
      config: { events, workers: eff.workers, ackers: eff.ackers, maxSpoutPending: eff.maxSpoutPending, master: 'on' },
      tuplesPerSec: Math.round(lines.acked / (Math.max(s.elapsedMs, 1) / 1000)),
      latency: lat
        ? { kind: 'complete', p50us: lat.p50 * 1000, p99us: lat.p99 * 1000, p999us: lat.p999 * 1000, maxus: lat.max * 1000, samples: lat.count }
        : undefined,
      redisUsPerEvent: Math.round((redisCpu * 1e6 / events) * 10) / 10,
      extra: { elapsedMs: s.elapsedMs, redisCpuSec: Math.round(redisCpu * 100) / 100, redisCommands, redisKeys: keys, heapPeakMB, heapSamples, spouts: s.spouts, bolts: s.bolts },
    };
  } finally {
    if (sampler) clearInterval(sampler);
    redis.disconnect();
    await server.dispose();
    rmSync(tmp, { recursive: true, force: true });
  }
}
