// A cluster node dies in the middle of a flush: the slots on the live nodes apply, the ones on
// the dead node fail, and the retry (same FlushProgress, as the writer keeps it) sends only
// those once the node is back: every at-least-once count ends exactly right, none doubled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { RedisViewStore } from '../../src/speed/redis-store.js';
import { FlushProgress } from '../../src/speed/flush-calls.js';
import { valueKey, viewPrefix } from '../../src/views/keys.js';
import type { ViewUpdate } from '../../src/views/view.js';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { ALL, H0, views } from '../speed/store-cases.js';

let cluster: RedisCluster;
let store: RedisViewStore;

beforeAll(async () => {
  cluster = await startRedisCluster();
  store = RedisViewStore.open({ cluster: cluster.urls }, { namespace: 'o', commandTimeoutMs: 3000 });
  await store.ready();
}, 120_000);

afterAll(async () => {
  await store?.close();
  await cluster?.dispose();
});

/** Which node (port) holds a key, asked of the cluster. */
function nodeOf(key: string): number {
  const slot = Number(cluster.cli(cluster.ports[0]!, 'cluster', 'keyslot', key).trim());
  const shards = cluster.cli(cluster.ports[0]!, 'cluster', 'slots');
  // redis-cli prints: start, end, ip, port, id per range, one value per line.
  const lines = shards.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  for (let i = 0; i + 3 < lines.length; i++) {
    const [a, b, ip, port] = [lines[i], lines[i + 1], lines[i + 2], lines[i + 3]];
    if (/^\d+$/.test(a!) && /^\d+$/.test(b!) && ip === '127.0.0.1' && /^\d+$/.test(port!) && slot >= Number(a) && slot <= Number(b)) return Number(port);
  }
  throw new Error(`no node for slot ${slot}:\n${shards}`);
}

describe('a cluster node down during a flush', () => {
  it('applies the live slots once, fails the rest, and the retry writes only those', async () => {
    // An at-least-once view with a key per cell (counters): its cells spread over the nodes.
    const p = viewPrefix('o', views.bounce);
    const batch: ViewUpdate[] = [];
    for (let i = 0; i < 30; i++) batch.push({ view: 'bounce', key: `/down/${i}`, bucket: H0, fields: { visits: 1 } });
    const dead = cluster.ports[2]!;
    const onDead = batch.filter((u) => nodeOf(valueKey(p, u.key, u.bucket)) === dead).map((u) => u.key);
    const onLive = batch.map((u) => u.key).filter((k) => !onDead.includes(k));
    expect(onDead.length).toBeGreaterThan(0);
    expect(onLive.length).toBeGreaterThan(0);

    await store.apply([{ view: 'bounce', key: '/warm', bucket: H0, fields: { visits: 1 } }], ALL);
    await cluster.kill(dead);
    // Within the cluster's node timeout (5 s) the live masters still take writes.
    const progress = new FlushProgress();
    await expect(store.apply(batch, ALL, {}, progress)).rejects.toThrow(/slot calls failed/);
    const applied = progress.done.size;
    expect(applied).toBeGreaterThan(0);

    await cluster.restart(dead);
    // The writer's loop: retry with backoff until the client sees the node again.
    const deadline = Date.now() + 60_000;
    for (let attempt = 1; ; attempt++) {
      try {
        await store.apply(batch, ALL, {}, progress);
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, Math.min(100 * attempt, 1000)));
      }
    }
    const live = new Redis({ host: '127.0.0.1', port: cluster.ports[0]! });
    const live2 = new Redis({ host: '127.0.0.1', port: cluster.ports[1]! });
    try {
      const readLive = async (k: string): Promise<string | null> => {
        const key = valueKey(p, k, H0);
        return nodeOf(key) === cluster.ports[0] ? live.hget(key, 'visits') : live2.hget(key, 'visits');
      };
      // Applied before the node died, not resent: still 1, not 2.
      for (const k of onLive) expect(await readLive(k), k).toBe('1');
      const all = await Promise.all(batch.map((u) => store.values(views.bounce, u.key, [H0])));
      expect(all.map((v) => v.total)).toEqual(batch.map(() => ({ visits: 1, bounces: 0 })));
      const top = await store.top(views.bounce, [H0], 100);
      expect(top.filter((e) => e.key.startsWith('/down/')).every((e) => e.score === 1)).toBe(true);
      expect(top.filter((e) => e.key.startsWith('/down/'))).toHaveLength(30);
    } finally {
      live.disconnect();
      live2.disconnect();
    }
  }, 180_000);
});
