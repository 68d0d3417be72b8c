// The serving layer over a Redis Cluster: query = f(batch, realtime) when a key's values and
// the view's pointer live in different slots (values read first, then the pointer), a top
// over batch and realtime buckets as one ZUNION in the view's slot, keys from both indexes.
// The batch version is written here by hand with the documented keys (topo batch refuses a
// cluster); the pointer is swapped with the product's own script.
import { describe, expect, it } from 'vitest';
import { ServingLayer } from '../../src/serving/query.js';
import { swapPointer } from '../../src/serving/pointer.js';
import { batchPrefix, keysKey, topKey, valueKey, viewPrefix } from '../../src/views/keys.js';
import { defineView, HOUR_MS } from '../../src/views/view.js';
import { clusterWithStore } from '../helpers/redis-cluster.js';

const hits = defineView({ name: 'hits', aggregation: { kind: 'count' }, timeOf: () => 0 });
const uniq = defineView({ name: 'uniq', aggregation: { kind: 'distinct', field: 'v' }, timeOf: () => 0 });
const H = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 5 * HOUR_MS;
const hours = [H, H + HOUR_MS, H + 2 * HOUR_MS, H + 3 * HOUR_MS];

const ctx = clusterWithStore('s');

describe('ServingLayer on a Redis Cluster', () => {
  it('answers covered buckets from the batch version and later ones from realtime, across slots', async () => {
    // Realtime: every hour doubled (as a replayed speed layer would be); batch: the true counts of hours 0-1.
    await ctx.store.apply(hours.flatMap((h, i) => [
      { view: 'hits', key: '/a', bucket: h, n: 2 * (i + 1) },
      { view: 'hits', key: '/b', bucket: h, n: 2 },
      { view: 'uniq', key: '/a', bucket: h, member: 'v1' },
      { view: 'uniq', key: '/a', bucket: h, member: `only${i}` },
    ]), [hits, uniq]);
    const p = viewPrefix('s', hits);
    const bp = batchPrefix(p, 1);
    for (const [i, h] of hours.slice(0, 2).entries()) {
      // A count view's batch cells are its buckets' top ZSETs.
      await ctx.raw.zadd(topKey(bp, h), i + 1, '/a');
      await ctx.raw.zadd(topKey(bp, h), 1, '/b');
      await ctx.raw.zadd(keysKey(bp), h, '/a', h, '/b', h, '/batch-only');
    }
    const up = viewPrefix('s', uniq);
    const ubp = batchPrefix(up, 1);
    for (const h of hours.slice(0, 2)) await ctx.raw.pfadd(valueKey(ubp, '/a', h), 'v1');
    await swapPointer(ctx.raw, 's', hits, 1, H + 2 * HOUR_MS);
    await swapPointer(ctx.raw, 's', uniq, 1, H + 2 * HOUR_MS);

    const serving = new ServingLayer(ctx.store.redis, 's');
    const q = await serving.query(hits, '/a', hours);
    expect(q.buckets.map((b) => [b.value, b.source])).toEqual([[1, 'batch'], [2, 'batch'], [6, 'realtime'], [8, 'realtime']]);
    expect(q.total).toBe(17);
    expect(q.watermark).toBe(H + 2 * HOUR_MS);
    // Distinct over the watermark: one PFCOUNT over batch and realtime HyperLogLogs (same slot).
    const u = await serving.query(uniq, '/a', hours);
    expect(u.buckets.map((b) => b.source)).toEqual(['batch', 'batch', 'realtime', 'realtime']);
    expect(u.total).toBe(3); // v1, only2, only3
    // Top over batch and realtime top ZSETs: /a 1+2+6+8, /b 1+1+2+2.
    const top = await serving.top(hits, hours, 2);
    expect(top.top).toEqual([{ key: '/a', score: 17 }, { key: '/b', score: 6 }]);
    expect(new Set(await serving.keys(hits))).toEqual(new Set(['/a', '/b', '/batch-only']));
    expect(await serving.latestBucket(hits)).toBe(hours[3]);
  });
});
