// With AOF and `appendfsync always`, Redis replies to a write only after it reached the disk,
// and the writer acks only after the reply: a SIGKILL of redis-server can lose nothing that
// was acked, and what it lost unacked is replayed. Afterwards no key is below its truth.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runTopology } from '../../src/index.js';
import { RedisViewStore } from '../../src/speed/redis-store.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { fixture, freshDir, readCounts, recentBase, truth } from './results.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis({ aof: true, appendfsync: 'always' });
});
afterAll(async () => {
  await server?.dispose();
});

it('survives a SIGKILL of redis-server mid-run: no key below its true count', async () => {
  const n = 20000;
  const outDir = freshDir('durable');
  const base = recentBase();
  const handle = await runTopology(fixture('events.ts'), {
    overrides: { workers: 2 },
    config: { count: n, base, outDir, redis: server.url, viewNamespace: 'durable', flushSize: 200, messageTimeoutMs: 10_000 },
  });
  try {
    const acked = async (): Promise<number> => (await handle.metrics()).spouts['events']!.acked;
    while ((await acked()) < n / 4) await new Promise((r) => setTimeout(r, 20));
    await server.kill();
    const killedAt = await acked();
    expect(killedAt).toBeLessThan(n);
    await new Promise((r) => setTimeout(r, 1000));
    await server.restart();
    const summary = await handle.completion;
    expect(summary.status).toBe('completed');
    const store = RedisViewStore.open(server.url, { namespace: 'durable' });
    try {
      const t = truth(n, base);
      const hits = await readCounts(store, 'hits', t);
      for (const [id, c] of t.counts) expect(hits.get(id) ?? 0, id).toBeGreaterThanOrEqual(c);
      // Exactly-once views keep their ids in the same AOF: still exact after the crash.
      expect(await readCounts(store, 'once', t)).toEqual(t.counts);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});
