// The view store over a real three-master Redis Cluster: the behaviours every store has, the
// same key schema as on one Redis, keys with a key per cell spread over the nodes (a count
// view's buckets in its own slot), a flush sent as one script call per slot plus one per
// view, and a retry that resends only the calls that failed.
import { describe, expect, it } from 'vitest';
import { FlushProgress } from '../../src/speed/flush-calls.js';
import { keySlot } from '../../src/speed/slot.js';
import { keysKey, topKey, valueKey, viewPrefix } from '../../src/views/keys.js';
import type { ViewUpdate } from '../../src/views/view.js';
import { clusterWithStore } from '../helpers/redis-cluster.js';
import { ALL, H0, H1, storeCases, views } from '../speed/store-cases.js';

const ctx = clusterWithStore('c');

/** Script calls (EVALSHA + EVAL) each node has run so far, from INFO commandstats. */
function scriptCallsPerNode(): number[] {
  return ctx.cluster.ports.map((p) => {
    const stats = ctx.cluster.cli(p, 'info', 'commandstats');
    let n = 0;
    for (const m of stats.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+)/g)) n += Number(m[1]);
    return n;
  });
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

describe('RedisViewStore on a Redis Cluster', () => {
  storeCases(() => ctx.store);

  it('spreads keys with a key per cell over every master, keeps one key\'s buckets in one slot and a count view in its own (asked of the cluster itself)', async () => {
    const batch: ViewUpdate[] = [];
    for (let i = 0; i < 60; i++) for (const b of [H0, H1]) batch.push({ view: 'uniq', key: `/spread/${i}`, bucket: b, member: 'm' }, { view: 'hits', key: `/spread/${i}`, bucket: b, n: 1 });
    await ctx.store.apply(batch, ALL);
    const sizes = ctx.cluster.ports.map((p) => Number(ctx.cluster.cli(p, 'dbsize').trim()));
    expect(sizes.filter((n) => n > 0).length).toBe(3);
    const p = viewPrefix('c', views.uniq);
    const ph = viewPrefix('c', views.hits);
    const slotOf = (k: string): number => Number(ctx.cluster.cli(ctx.cluster.ports[0]!, 'cluster', 'keyslot', k).trim());
    expect(slotOf(valueKey(p, '/spread/1', H0))).toBe(slotOf(valueKey(p, '/spread/1', H1)));
    expect(slotOf(topKey(p, H0))).toBe(slotOf(keysKey(p)));
    // A count view's cells are its top ZSETs: every bucket in the view's slot.
    expect(slotOf(topKey(ph, H0))).toBe(slotOf(topKey(ph, H1)));
    expect(slotOf(topKey(ph, H0))).toBe(slotOf(keysKey(ph)));
    // The client's own slot function agrees with the server's.
    for (const k of [valueKey(p, '/spread/7', H0), topKey(p, H1), valueKey(p, '/{odd}', H0), topKey(ph, H0)]) expect(keySlot(k)).toBe(slotOf(k));
    expect(await ctx.raw.pfcount(valueKey(p, '/spread/59', H1))).toBe(1);
    expect(await ctx.raw.zscore(topKey(ph, H1), '/spread/59')).toBe('1');
  });

  it('sends a flush as one script call per slot of its value records plus one per view', async () => {
    const batch: ViewUpdate[] = [];
    for (let i = 0; i < 40; i++) {
      batch.push({ view: 'hits', key: `/grp/${i}`, bucket: H0, n: 2 });
      batch.push({ view: 'hits', key: `/grp/${i}`, bucket: H1, n: 1 });
      batch.push({ view: 'uniq', key: `/grp/${i % 5}`, bucket: H0, member: `m${i}` });
      batch.push({ view: 'uniq', key: `/grp/${i}`, bucket: H1, member: `m${i}` });
    }
    // Distinct slots as the server computes them, not as the store does: the uniques' value
    // keys, and the hits view's own slot (its buckets' top ZSETs).
    const slots = new Set<string>();
    const keyslot = (k: string): string => ctx.cluster.cli(ctx.cluster.ports[0]!, 'cluster', 'keyslot', k).trim();
    for (const u of batch) {
      slots.add(u.view === 'hits' ? keyslot(topKey(viewPrefix('c', views.hits), u.bucket)) : keyslot(valueKey(viewPrefix('c', views.uniq), u.key, u.bucket)));
    }
    expect(slots.size).toBeGreaterThan(30);
    await ctx.store.apply(batch.slice(0, 4), ALL); // scripts loaded everywhere before counting
    const before = scriptCallsPerNode();
    const callsBefore = ctx.store.stats.scriptCalls;
    await ctx.store.apply(batch, ALL);
    const after = scriptCallsPerNode();
    expect(sum(after) - sum(before)).toBe(slots.size + 2);
    expect(ctx.store.stats.scriptCalls - callsBefore).toBe(slots.size + 2);
    expect(after.every((n, i) => n > before[i]!)).toBe(true);
    expect((await ctx.store.values(views.hits, '/grp/3', [H0, H1])).total).toBe(3);
    expect((await ctx.store.values(views.hits, '/grp/0', [H0, H1])).total).toBe(6); // also in the warm-up flush
    expect((await ctx.store.values(views.uniq, '/grp/3', [H0])).total).toBe(8);
    const p = viewPrefix('c', views.hits);
    expect(await ctx.raw.zscore(topKey(p, H0), '/grp/0')).toBe('4');
    expect(await ctx.raw.zscore(topKey(p, H1), '/grp/39')).toBe('1');
    expect(await ctx.raw.zscore(topKey(viewPrefix('c', views.uniq), H0), '/grp/3')).toBe('8');
  });

  it('resends only the slot that failed: each cell is written once', async () => {
    const p = viewPrefix('c', views.uniq);
    const batch: ViewUpdate[] = [];
    for (let i = 0; i < 20; i++) batch.push({ view: 'uniq', key: `/retry/${i}`, bucket: H0, member: 'm' });
    const bad = valueKey(p, '/retry/7', H0);
    expect(batch.filter((u) => keySlot(valueKey(p, u.key, u.bucket)) === keySlot(bad))).toHaveLength(1);
    // A HASH where a HyperLogLog belongs: PFADD fails with WRONGTYPE in that slot's script only.
    await ctx.raw.hset(bad, 'x', '1');
    const progress = new FlushProgress();
    await expect(ctx.store.apply(batch, ALL, {}, progress)).rejects.toThrow(/1 of 20 slot calls failed.*WRONGTYPE/);
    expect(await ctx.raw.pfcount(valueKey(p, '/retry/3', H0))).toBe(1);
    await ctx.raw.del(bad);
    const callsBefore = ctx.store.stats.scriptCalls;
    await ctx.store.apply(batch, ALL, {}, progress);
    expect(ctx.store.stats.scriptCalls - callsBefore).toBe(1 + 1); // the failed slot, then the view call
    for (const i of [0, 3, 7, 19]) expect(await ctx.raw.pfcount(valueKey(p, `/retry/${i}`, H0))).toBe(1);
    expect(await ctx.raw.zscore(topKey(p, H0), '/retry/7')).toBe('1');
  });

  it('keeps top scores right when the top call failed and the flush is replayed (exactly-once view)', async () => {
    const p = viewPrefix('c', views.oncec);
    const batch: ViewUpdate[] = [];
    for (let i = 0; i < 10; i++) batch.push({ view: 'oncec', key: '/eo-top', bucket: H1, fields: { a: 1 }, id: `e${i}` });
    // The view's top ZSET for H1 made unwritable: phase 2 fails after every value was applied.
    await ctx.raw.set(topKey(p, H1), 'not a zset');
    await expect(ctx.store.apply(batch, ALL)).rejects.toThrow(/1 of 1 view calls failed/);
    await ctx.raw.del(topKey(p, H1));
    // A replay (new progress: as after a restart) skips every event by its id, yet sets the top from the value.
    const again = await ctx.store.apply(batch, ALL);
    expect(again.skipped).toBe(10);
    expect((await ctx.store.values(views.oncec, '/eo-top', [H1])).total).toEqual({ a: 10, b: 0 });
    expect(await ctx.store.top(views.oncec, [H1], 5)).toEqual([{ key: '/eo-top', score: 10 }]);
  });
});
