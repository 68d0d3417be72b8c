import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTopology } from '../../src/index.js';
import { RedisViewStore } from '../../src/speed/redis-store.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { VIEWS } from '../fixtures/speed/event-views.js';
import { ackedIds, fixture, freshDir, readCounts, recentBase, sum, truth } from './results.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis({ aof: true, appendfsync: 'always' });
});
afterAll(async () => {
  await server?.dispose();
});

async function run(namespace: string, n: number, extra: Record<string, unknown> = {}) {
  const outDir = freshDir('speed');
  const base = recentBase();
  const handle = await runTopology(fixture('events.ts'), {
    overrides: { workers: 2 },
    config: { count: n, base, outDir, redis: server.url, viewNamespace: namespace, messageTimeoutMs: 10_000, ...extra },
  });
  return { handle, outDir, base };
}

describe('ViewWriterBolt into Redis over worker threads', () => {
  it('writes every event exactly once without failures, counts late events, acks all', async () => {
    const n = 6000;
    const { handle, outDir, base } = await run('plain', n);
    const summary = await handle.completion;
    expect(summary.status).toBe('completed');
    const store = RedisViewStore.open(server.url, { namespace: 'plain' });
    try {
      const t = truth(n, base);
      expect(await readCounts(store, 'hits', t)).toEqual(t.counts);
      expect(await readCounts(store, 'once', t)).toEqual(t.counts);
      const uniq = await readCounts(store, 'uniq', t);
      for (const [id, u] of t.uniques) expect(Math.abs(uniq.get(id)! - u), id).toBeLessThanOrEqual(Math.ceil(u * 0.02));
      expect(await store.late(VIEWS[0]!)).toBe(t.late);
      expect(ackedIds(outDir).length).toBe(n);
    } finally {
      await store.close();
      rmSync(outDir, { recursive: true, force: true });
    }
  });

  it('exactly-once views equal the truth when replays hit events already written', async () => {
    const n = 4000;
    const { handle, outDir, base } = await run('replays', n, { failAfterWriteRate: 0.2 });
    const summary = await handle.completion;
    expect(summary.status).toBe('completed');
    expect(summary.spouts['events']!.failed).toBeGreaterThan(0);
    const store = RedisViewStore.open(server.url, { namespace: 'replays' });
    try {
      const t = truth(n, base);
      expect(await readCounts(store, 'once', t)).toEqual(t.counts);
      const hits = await readCounts(store, 'hits', t);
      for (const [id, c] of t.counts) expect(hits.get(id)!, id).toBeGreaterThanOrEqual(c);
      expect(sum(hits)).toBeGreaterThan(n);
    } finally {
      await store.close();
      rmSync(outDir, { recursive: true, force: true });
    }
  });

  it('copies of one event in the same flush count once in exactly-once views, twice in at-least-once views', async () => {
    const n = 3000;
    // Each tuple carries its event's updates twice: both copies are held in the same flush.
    const { handle, outDir, base } = await run('copies', n, { copies: 2 });
    const summary = await handle.completion;
    expect(summary.status).toBe('completed');
    expect(summary.bolts['writer']!.errors).toBe(0);
    const store = RedisViewStore.open(server.url, { namespace: 'copies' });
    try {
      const t = truth(n, base);
      expect(await readCounts(store, 'once', t)).toEqual(t.counts);
      expect(await readCounts(store, 'hits', t)).toEqual(new Map([...t.counts].map(([k, c]) => [k, 2 * c])));
    } finally {
      await store.close();
      rmSync(outDir, { recursive: true, force: true });
    }
  });

  it('acks nothing while Redis is down, and completes once it is back', async () => {
    const n = 20000;
    const { handle, outDir, base } = await run('outage', n, { flushSize: 200 });
    const acked = async (): Promise<number> => (await handle.metrics()).spouts['events']!.acked;
    while ((await acked()) < 2000) await new Promise((r) => setTimeout(r, 50));
    await server.stop();
    await new Promise((r) => setTimeout(r, 500)); // a flush applied just before the stop may still be acked
    const during = await acked();
    await new Promise((r) => setTimeout(r, 2500));
    expect(await acked()).toBe(during);
    expect((await handle.metrics()).bolts['writer']!.errors).toBeGreaterThan(0);
    await server.restart();
    const summary = await handle.completion;
    expect(summary.status).toBe('completed');
    const store = RedisViewStore.open(server.url, { namespace: 'outage' });
    try {
      const t = truth(n, base);
      expect(await readCounts(store, 'once', t)).toEqual(t.counts);
      const hits = await readCounts(store, 'hits', t);
      for (const [id, c] of t.counts) expect(hits.get(id)!, id).toBeGreaterThanOrEqual(c);
      // Every acked event is in its bucket's exactly-once ids set (`<key> NUL <id>`): nothing was acked unwritten.
      const ids = new Set<string>();
      for (const k of await store.redis.keys('topo:outage:once:v1:{once}:ids:*')) for (const m of await store.redis.smembers(k)) ids.add(m.slice(m.indexOf('\u0000') + 1));
      const acks = ackedIds(outDir);
      expect(new Set(acks).size).toBe(n);
      for (const i of acks) if (!ids.has(`e${i}`)) throw new Error(`event ${i} was acked but is not written`);
    } finally {
      await store.close();
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
