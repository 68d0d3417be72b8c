/**
 * `topo query` on the embedded default (issue 15 item 5's target: an answer within 100 ms of
 * process start, whatever the size of the private server's append-only file): a scratch
 * folder with the shipped log's views in its private redis-server (`topo run` once, which
 * leaves the server up), then the same query again and again, each a fresh `node
 * dist/cli/bin.js query` process timed from spawn to exit. The first query builds the
 * topology bundle; the timed ones reuse it, as a user's second query does.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latencyOf } from './bullmq-common.js';
import type { ScenarioResult } from './report.js';

/** `npm run bench` runs from the repository root. */
const ROOT = process.cwd();
const QUERY = ['query', 'pageviews', 'http://semicomplete.com/', '--from', '2015-05-17', '--to', '2015-05-21'];

function topo(dir: string, args: readonly string[]): { ms: number; code: number | null; stderr: string } {
  const env = { ...process.env };
  delete env['REDIS_URL'];
  delete env['REDIS_CLUSTER_URLS'];
  const t = performance.now();
  const r = spawnSync(process.execPath, [join(dir, 'dist', 'cli', 'bin.js'), ...args], { cwd: dir, env, encoding: 'utf8' });
  return { ms: performance.now() - t, code: r.status, stderr: r.stderr };
}

export async function queryLatency(quick: boolean): Promise<ScenarioResult> {
  const dir = mkdtempSync(join(tmpdir(), 'topo-bench-query-'));
  for (const f of ['dist', 'src', 'topologies', 'node_modules', 'package.json', 'tsconfig.json']) symlinkSync(join(ROOT, f), join(dir, f));
  try {
    const run = topo(dir, ['run', 'topologies/pageviews.ts', '-q']);
    if (run.code !== 0) throw new Error(`topo run failed (${run.code}): ${run.stderr}`);
    const first = topo(dir, QUERY);
    if (first.code !== 0) throw new Error(`topo query failed (${first.code}): ${first.stderr}`);
    const samples: number[] = [];
    for (let i = 0; i < (quick ? 10 : 40); i++) samples.push(topo(dir, QUERY).ms);
    const sorted = [...samples].sort((a, b) => a - b);
    const aof = (() => { try { return spawnSync('du', ['-sb', join(dir, '.topo', 'redis', 'appendonlydir')], { encoding: 'utf8' }).stdout.split('\t')[0]; } catch { return null; } })();
    process.stderr.write(`[query-latency] min ${sorted[0]!.toFixed(0)} ms, median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms over ${samples.length} (first, bundling: ${first.ms.toFixed(0)} ms)\n`);
    return {
      name: 'query-latency',
      config: { runs: samples.length, aofBytes: aof === null || aof === undefined ? null : Number(aof) },
      latency: latencyOf(samples),
      samples,
      extra: { firstMs: Math.round(first.ms), minMs: Math.round(sorted[0]!), medianMs: Math.round(sorted[Math.floor(sorted.length / 2)]!), distMtime: statSync(join(ROOT, 'dist')).mtimeMs },
    };
  } finally {
    topo(dir, ['redis', 'stop']);
    rmSync(dir, { recursive: true, force: true });
  }
}
