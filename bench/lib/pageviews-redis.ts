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
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startRedis } from '../../test/helpers/redis-server.js';
import type { ScenarioResult } from './report.js';
import { writeReplay } from './replay-log.js';

export async function pageviewsRedis(quick: boolean): Promise<ScenarioResult> {
  const events = quick ? 30_000 : 1_000_000;
  const tmp = mkdtempSync(path.join(tmpdir(), 'topo-bench-pageviews-'));
  const input = path.join(tmp, 'replay.log');
  const master = path.join(tmp, 'master');
  const rejects = path.join(tmp, 'rejects.jsonl');
  const server = await startRedis();
  try {
    await writeReplay(path.join(process.cwd(), 'topologies', 'data', 'apache_logs.log'), input, events);
    const { runTopology } = await import('../../src/runtime/local.js');
    const handle = await runTopology(path.join(process.cwd(), 'topologies', 'pageviews.ts'), {
      config: { input, master, rejects },
      overrides: { redis: server.url },
    });
    const s = await handle.completion;
    if (s.status !== 'completed') throw new Error(`pageviews: run ended ${s.status}${s.error ? `: ${s.error}` : ''}`);
    const errors = Object.entries(s.lastErrors);
    if (errors.length > 0) throw new Error(`pageviews: component errors: ${JSON.stringify(Object.fromEntries(errors))}`);
    const lines = s.spouts['lines'];
    if (!lines) throw new Error('pageviews: no spout "lines" in the summary');
    if (lines.failed > 0) throw new Error(`pageviews: ${lines.failed} failed trees`);
    if (lines.acked !== events) throw new Error(`pageviews: ${lines.acked} lines acked of ${events}`);
    // A sanity check that the views landed in this server, not in a memory store.
    const redis = new Redis(server.port, '127.0.0.1');
    let keys: number;
    try {
      keys = await redis.dbsize();
    } finally {
      redis.disconnect();
    }
    if (keys === 0) throw new Error('pageviews: no keys in the redis-server after the run');
    const eff = handle.supervisor.config;
    const lat = s.completeLatencyMs;
    return {
      name: 'pageviews-redis',
      config: { events, workers: eff.workers, ackers: eff.ackers, maxSpoutPending: eff.maxSpoutPending, master: 'on' },
      tuplesPerSec: Math.round(lines.acked / (Math.max(s.elapsedMs, 1) / 1000)),
      latency: lat
        ? { kind: 'complete', p50us: lat.p50 * 1000, p99us: lat.p99 * 1000, p999us: lat.p999 * 1000, maxus: lat.max * 1000, samples: lat.count }
        : undefined,
      extra: { elapsedMs: s.elapsedMs, redisKeys: keys, spouts: s.spouts, bolts: s.bolts },
    };
  } finally {
    await server.dispose();
    rmSync(tmp, { recursive: true, force: true });
  }
}
