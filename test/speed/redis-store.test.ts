import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { RedisViewStore } from '../../src/speed/redis-store.js';
import { bucketIdsKey, bucketsKey, idsKey, topKey, valueKey, viewPrefix } from '../../src/views/keys.js';
import { DAY_MS, HOUR_MS, type ViewUpdate } from '../../src/views/view.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { ALL, H0, storeCases, views } from './store-cases.js';

let server: RedisServer;
let store: RedisViewStore;
let raw: Redis;

beforeAll(async () => {
  server = await startRedis();
  store = RedisViewStore.open(server.url, { namespace: 't' });
  await store.ready();
  raw = new Redis(server.url);
});

afterAll(async () => {
  await store?.close();
  raw?.disconnect();
  await server?.dispose();
});

describe('RedisViewStore', () => {
  storeCases(() => store);

  it('writes the documented key schema with TTLs of max(bucket end, now) + ttl', async () => {
    await store.apply(
      [
        { view: 'hits', key: '/ttl', bucket: H0, n: 1 },
        { view: 'once', key: '/ttl', bucket: H0, n: 1, id: 'x' },
        { view: 'uniq', key: '/ttl', bucket: H0, member: 'v1' },
        { view: 'oncec', key: '/ttl', bucket: H0, fields: { a: 1 }, id: 'y' },
      ],
      ALL,
    );
    const p = viewPrefix('t', views.hits);
    const po = viewPrefix('t', views.once);
    const pu = viewPrefix('t', views.uniq);
    const pc = viewPrefix('t', views.oncec);
    // Count and sum cells are their bucket's top ZSET: no key per cell.
    expect(await raw.type(topKey(p, H0))).toBe('zset');
    expect(await raw.zscore(topKey(p, H0), '/ttl')).toBe('1');
    expect(await raw.exists(valueKey(p, '/ttl', H0))).toBe(0);
    // One entry per bucket written, none per key (keys are read from the buckets' top ZSETs).
    expect(await raw.zscore(bucketsKey(p), String(H0))).toBe(String(H0));
    expect(await store.keys(views.hits)).toContain('/ttl');
    expect(await raw.type(valueKey(pu, '/ttl', H0))).toBe('string');
    expect(await raw.pfcount(valueKey(pu, '/ttl', H0))).toBe(1);
    expect(await raw.zscore(topKey(pu, H0), '/ttl')).toBe('1');
    expect(await raw.hget(valueKey(pc, '/ttl', H0), 'a')).toBe('1');
    const expected = Math.max(H0 + HOUR_MS, Date.now()) + 7 * DAY_MS - Date.now();
    for (const k of [topKey(p, H0), bucketIdsKey(po, H0), valueKey(pu, '/ttl', H0), topKey(pu, H0), valueKey(pc, '/ttl', H0), idsKey(pc, '/ttl', H0)]) {
      const ttl = await raw.pttl(k);
      expect(ttl, k).toBeGreaterThan(expected - 5000);
      expect(ttl, k).toBeLessThanOrEqual(expected);
    }
    // The buckets index lives as long as its latest bucket (earlier tests wrote the next hour).
    expect(await raw.pttl(bucketsKey(p))).toBeGreaterThan(expected - 5000);
    expect(await raw.pttl(bucketsKey(p))).toBeLessThanOrEqual(expected + HOUR_MS);
    expect(await raw.sismember(bucketIdsKey(po, H0), '/ttl\u0000x')).toBe(1);
    expect(await raw.smembers(idsKey(pc, '/ttl', H0))).toEqual(['y']);
    expect(await raw.zscore(topKey(p, H0), '/nothing')).toBe(null);
  });

  it('keeps a bucket that ended long ago for the TTL after the write (a replayed old log still fills the views)', async () => {
    const old = Date.UTC(2015, 4, 17, 10);
    await store.apply([{ view: 'hits', key: '/old', bucket: old, n: 3 }, { view: 'uniq', key: '/old', bucket: old, member: 'v' }], ALL);
    const p = viewPrefix('t', views.hits);
    expect(await raw.zscore(topKey(p, old), '/old')).toBe('3');
    for (const k of [topKey(p, old), valueKey(viewPrefix('t', views.uniq), '/old', old)]) {
      const ttl = await raw.pttl(k);
      expect(ttl, k).toBeGreaterThan(7 * DAY_MS - 60_000);
      expect(ttl, k).toBeLessThanOrEqual(7 * DAY_MS);
    }
    expect((await store.values(views.hits, '/old', [old])).total).toBe(3);
  });

  it('gives a distinct cell the expiry of the write that created it, and one again whenever it is re-created', async () => {
    const old = Date.UTC(2015, 4, 18, 10);
    const pu = viewPrefix('t', views.uniq);
    await store.apply([{ view: 'uniq', key: '/e1', bucket: old, member: 'v1' }], ALL);
    const tk = topKey(pu, old), e1 = valueKey(pu, '/e1', old), e2 = valueKey(pu, '/e2', old);
    const first = await raw.pexpiretime(e1);
    expect(first).toBeGreaterThan(Date.now() + 7 * DAY_MS - 60_000);
    // Later writes (a ms later at least): the new cell gets its own, later expiry; /e1 keeps its own.
    const deadline = Date.now() + 1000;
    while (Date.now() <= first - 7 * DAY_MS && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    await store.apply([{ view: 'uniq', key: '/e1', bucket: old, member: 'v2' }, { view: 'uniq', key: '/e2', bucket: old, member: 'v1' }], ALL);
    expect(await raw.pexpiretime(e1)).toBe(first);
    expect(await raw.pexpiretime(e2)).toBeGreaterThan(first);
    expect(await raw.pexpiretime(tk)).toBeGreaterThan(first);
    expect((await store.values(views.uniq, '/e1', [old])).total).toBe(2);
    expect(await raw.zscore(tk, '/e1')).toBe('2');
    // A cell gone (expired) while its bucket's top ZSET still names it, then written again: re-created with an expiry.
    await raw.unlink(e1);
    await store.apply([{ view: 'uniq', key: '/e1', bucket: old, member: 'v3' }], ALL);
    expect(await raw.pttl(e1)).toBeGreaterThan(7 * DAY_MS - 60_000);
    // A write that adds nothing new leaves the expiry alone.
    await raw.pexpire(e2, 100_000);
    await store.apply([{ view: 'uniq', key: '/e2', bucket: old, member: 'v1' }], ALL);
    expect(await raw.pttl(e2)).toBeLessThanOrEqual(100_000);
  });

  it('applies a flush whose script was flushed from Redis (NOSCRIPT falls back to EVAL)', async () => {
    await raw.script('FLUSH');
    await store.apply([{ view: 'hits', key: '/noscript', bucket: H0, n: 4 }], ALL);
    expect((await store.values(views.hits, '/noscript', [H0])).total).toBe(4);
  });

  it('adds 1000 updates per EVALSHA at a measured rate', async () => {
    const batch: ViewUpdate[] = [];
    for (let i = 0; i < 1000; i++) batch.push({ view: 'hits', key: `/p${i % 200}`, bucket: H0 + (i % 3) * HOUR_MS, n: 1 });
    const t0 = performance.now();
    const flushes = 50;
    for (let f = 0; f < flushes; f++) await store.apply(batch, ALL);
    const ms = performance.now() - t0;
    const rate = Math.round((flushes * 1000) / (ms / 1000));
    console.log(`redis flush: ${flushes} x 1000 updates (600 distinct key-buckets) in ${ms.toFixed(0)} ms = ${rate} updates/s`);
    expect((await store.values(views.hits, '/p0', [H0])).total).toBe(flushes * 2);
  });
});
