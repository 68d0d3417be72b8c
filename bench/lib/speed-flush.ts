/**
 * The `speed-flush` scenario: the view writer's flush path alone, on the pageviews replay.
 * The shipped log replayed to 100 k lines (30 k with --quick) is parsed and turned into the
 * visitor bolt's updates (a pageviews count and a uniques member per line), grouped as the
 * writer groups them (FlushBatch, 1000 updates a flush) and written with
 * RedisViewStore.applyCells into a redis-server this benchmark starts, one flush at a time.
 * The figures are CPU per event, which a shared machine stretches little: Redis's (INFO
 * cpu) and this process's for encoding, packing and the client (process.cpuUsage over the
 * flushes only). Rate = events / wall time of the flushes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startRedis } from '../../test/helpers/redis-server.js';
import { parseApacheLine } from '../../topologies/pageviews/parse-apache.js';
import { pageKeysOf } from '../../topologies/pageviews/event.js';
import { dedupeKey } from '../../topologies/pageviews/dedupe.js';
import { PAGEVIEW_VIEWS, pageviewsView, uniquesView } from '../../topologies/pageviews/views.js';
import { bucketOf, type ViewUpdate } from '../../src/views/index.js';
import { RedisViewStore } from '../../src/speed/redis-store.js';
import { FlushBatch } from '../../src/speed/flush-batch.js';
import type { StoreView } from '../../src/speed/store.js';
import { writeReplay } from './replay-log.js';
import { redisCommandStats, redisCpuSec } from './redis-stats.js';
import type { ScenarioResult } from './report.js';

const FLUSH = 1000;

export async function speedFlush(quick: boolean): Promise<ScenarioResult> {
  const lines = quick ? 30_000 : 100_000;
  const tmp = mkdtempSync(path.join(tmpdir(), 'topo-bench-flush-'));
  const server = await startRedis();
  const redis = new Redis(server.port, '127.0.0.1');
  const views = PAGEVIEW_VIEWS as readonly StoreView[];
  const store = RedisViewStore.open(server.url, { namespace: 'pageviews' });
  try {
    const input = path.join(tmp, 'replay.log');
    await writeReplay(path.join(process.cwd(), 'topologies', 'data', 'apache_logs.log'), input, lines);
    const updates: ViewUpdate[] = [];
    readFileSync(input, 'utf8').split('\n').forEach((l, i) => {
      const r = l === '' ? null : parseApacheLine(l, { id: `replay.log:${i + 1}`, host: 'semicomplete.com' });
      const k = r?.ok ? pageKeysOf(r.event) : null;
      if (k === null || k === undefined) return;
      const id = dedupeKey(k.visitor, k.url, k.ts);
      updates.push(
        { view: pageviewsView.name, key: k.url, bucket: bucketOf(pageviewsView, k.ts), time: k.ts, id, n: 1 },
        { view: uniquesView.name, key: k.url, bucket: bucketOf(uniquesView, k.ts), time: k.ts, id, member: k.visitor },
      );
    });
    const byName = new Map(views.map((v) => [v.name, v]));
    await store.ready();
    await store.apply([{ view: pageviewsView.name, key: 'warm-up', bucket: 0, n: 1 }], views); // the script loaded
    await redis.config('RESETSTAT');
    const cpu0 = await redisCpuSec(redis);
    const own0 = process.cpuUsage();
    const t0 = performance.now();
    let batch = new FlushBatch();
    for (let i = 0; i < updates.length; i++) {
      const u = updates[i]!;
      batch.add(u, byName.get(u.view)!);
      if (batch.size >= FLUSH || i === updates.length - 1) {
        await store.applyCells(batch.cells, batch.size, views);
        batch = new FlushBatch();
      }
    }
    const wallMs = performance.now() - t0;
    const own = process.cpuUsage(own0);
    const redisCpu = (await redisCpuSec(redis)) - cpu0;
    const events = updates.length / 2;
    return {
      name: 'speed-flush',
      config: { events, flushSize: FLUSH },
      tuplesPerSec: Math.round(events / (wallMs / 1000)),
      redisUsPerEvent: Math.round((redisCpu * 1e6 / events) * 10) / 10,
      extra: {
        clientUsPerEvent: Math.round(((own.user + own.system) / events) * 10) / 10,
        wallMs: Math.round(wallMs), flushes: store.stats.flushes - 1, redisKeys: await redis.dbsize(), redisCommands: await redisCommandStats(redis),
      },
    };
  } finally {
    await store.close();
    redis.disconnect();
    await server.dispose();
    rmSync(tmp, { recursive: true, force: true });
  }
}
