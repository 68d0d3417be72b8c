/**
 * Batch throughput over ~1M events: the shipped access log parsed once and replayed with
 * shifted timestamps (each loop moved by the log's span plus a minute, so nothing repeats),
 * written as master records, one part file per loop and date. Slow (minutes): runs only with
 * TOPO_BATCH_BENCH=1 (events: TOPO_BATCH_BENCH_EVENTS, default 1,000,000).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { MasterRecord } from '../../src/batch/master/layout.js';
import { runBatch } from '../../src/batch/runner/run.js';
import { parseApacheLine } from '../../src/pageviews/parse-apache.js';
import { startRedis } from '../helpers/redis-server.js';
import { tempRoot } from './fixture.js';

const EVENTS = Number(process.env['TOPO_BATCH_BENCH_EVENTS'] ?? 1_000_000);

function generate(root: string): number {
  const lines = readFileSync('topologies/data/apache_logs.log', 'utf8').split('\n').filter((l) => l !== '');
  const base: MasterRecord[] = [];
  lines.forEach((line, i) => {
    const r = parseApacheLine(line, { id: `apache_logs.log:${i + 1}`, host: 'semicomplete.com' });
    if (!r.ok) return;
    const e = r.event;
    base.push({ id: e.id, url: e.url, host: 'semicomplete.com', path: e.path, ip: e.ip, user: e.user, ts: e.ts, method: e.method, status: e.status, bytes: e.bytes, referrer: e.referrer, userAgent: e.userAgent });
  });
  const span = Math.max(...base.map((r) => r.ts)) - Math.min(...base.map((r) => r.ts)) + 60_000;
  let n = 0;
  for (let k = 0; n < EVENTS; k++) {
    const byDate = new Map<string, string[]>();
    for (const r of base) {
      if (n >= EVENTS) break;
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

describe.skipIf(process.env['TOPO_BATCH_BENCH'] !== '1')('batch throughput', () => {
  it('recomputes the three pageviews views over ~1M events with 1 and 2 pool threads', { timeout: 900_000 }, async () => {
    const root = tempRoot();
    const n = generate(root);
    const server = await startRedis();
    const redis = new Redis(server.port, '127.0.0.1');
    try {
      for (const threads of [1, 2]) {
        await redis.flushall();
        const r = await runBatch(redis, { file: 'topologies/pageviews.ts', root, threads });
        expect(r.records).toBe(n);
        const cells = r.published.map((p) => `${p.view} ${p.keys}`).join(', ');
        process.stderr.write(`[batch-bench] ${threads} thread(s): ${n} events, ${r.files} files in ${(r.elapsedMs / 1000).toFixed(1)} s (compute ${(r.computeMs / 1000).toFixed(1)} s, publish ${(r.publishMs / 1000).toFixed(1)} s) = ${Math.round(n / (r.elapsedMs / 1000))} events/s (published cells: ${cells})\n`);
      }
    } finally {
      redis.disconnect();
      await server.dispose();
    }
  });
});
