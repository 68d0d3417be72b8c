/**
 * Views of buckets under a minute (issue 13, item 6): a 10-second event-time window is a
 * view like an hourly one. Its keys name seconds, its cells expire by their own end, a query
 * reads every 10 s bucket of a range, a batch publish expires exactly the realtime buckets
 * below its watermark, and a range limit says how much time it is at that bucket size.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireRealtime } from '../../src/batch/runner/cleanup.js';
import { ServingLayer } from '../../src/serving/query.js';
import { QueryInputError, precheckRange } from '../../src/serving/request.js';
import { RedisViewStore } from '../../src/speed/redis-store.js';
import { bucketId, bucketsKey, keysKey, parseBucketId, topKey, viewPrefix } from '../../src/views/keys.js';
import { bucketOf, bucketsBetween, defineView, formatBucket, HOUR_MS, updateOf } from '../../src/views/view.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

const TEN_S = 10_000;
interface Click { readonly ad: string; readonly t: number }
const clicks = defineView<Click>({ name: 'clicks', bucketMs: TEN_S, aggregation: { kind: 'count' }, keyOf: (e) => e.ad, timeOf: (e) => e.t, ttlMs: HOUR_MS, allowedLatenessMs: 2000 });
// A recent minute, so the cells' TTLs lie in the future.
const M0 = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;

let server: RedisServer, store: RedisViewStore, raw: Redis;
beforeAll(async () => {
  server = await startRedis();
  store = RedisViewStore.open(server.url, { namespace: 'ten' });
  await store.ready();
  raw = new Redis(server.url);
});
afterAll(async () => {
  await store?.close();
  raw?.disconnect();
  await server?.dispose();
});

describe('bucket sizes', () => {
  it('accepts every whole number of seconds that divides a day, and names the view and the rule otherwise', () => {
    for (const ms of [1000, 2000, 10_000, 15_000, 60_000, 90_000, 3_600_000, 86_400_000]) {
      expect(defineView({ name: 'ok', bucketMs: ms, aggregation: { kind: 'count' }, timeOf: () => 0 }).bucketMs).toBe(ms);
    }
    for (const ms of [0, 500, 1500, 7000, 86_400_000 * 2, 3_600_000.5]) {
      expect(() => defineView({ name: 'bad', bucketMs: ms, aggregation: { kind: 'count' }, timeOf: () => 0 }), String(ms))
        .toThrow(new RegExp(`view 'bad': bucketMs must be a whole number of seconds dividing a day.*got ${ms}`));
    }
    expect([1000, 10_000, 120_000, 3_600_000, 86_400_000].map(formatBucket)).toEqual(['1 s', '10 s', '2 min', '1 h', '1 day']);
  });

  it('names buckets off the minute with seconds, keeps whole-minute names as they were, and reads both back', () => {
    expect(bucketId(Date.UTC(2015, 4, 17, 10, 5, 0))).toBe('2015-05-17T10:05Z');
    expect(bucketId(Date.UTC(2015, 4, 17, 10, 5, 40))).toBe('2015-05-17T10:05:40Z');
    for (const t of [Date.UTC(2015, 4, 17, 10, 5, 0), Date.UTC(2015, 4, 17, 10, 5, 40), Date.UTC(2015, 4, 17, 23, 59, 50)]) {
      expect(parseBucketId(bucketId(t))).toBe(t);
    }
    expect(() => parseBucketId('2015-05-17T10:05:4Z')).toThrow(/not a bucket id/);
  });
});

describe('a 10 s view in Redis and in the serving layer', () => {
  it('counts per 10 s bucket, answers each bucket of a range, expires each bucket after its own end + ttl', async () => {
    const events: Click[] = [];
    for (let i = 0; i < 90; i++) events.push({ ad: i % 3 === 0 ? 'a1' : 'a2', t: M0 + i * 700 }); // 63 s of clicks
    const updates = events.map((e) => updateOf(clicks, e)!);
    expect(new Set(updates.map((u) => u.bucket)).size).toBe(7);
    await store.apply(updates, [clicks]);
    const p = viewPrefix('ten', clicks);
    const b1 = M0 + TEN_S;
    // A count view's cells are its bucket's top ZSET: one key, one expiry per bucket.
    expect(topKey(p, b1)).toMatch(/T\d\d:\d\d:10Z$/);
    const ttl = await raw.pttl(topKey(p, b1));
    // max(bucket end, now) + ttl: the bucket ended minutes ago, so about an hour from now.
    expect(ttl).toBeGreaterThan(HOUR_MS - 60_000);
    expect(ttl).toBeLessThanOrEqual(HOUR_MS);
    const want = (ad: string, b: number): number => events.filter((e) => e.ad === ad && bucketOf(clicks, e.t) === b).length;
    const serving = new ServingLayer(raw, 'ten');
    const buckets = bucketsBetween(clicks, M0, M0 + 69_999);
    expect(buckets).toHaveLength(7);
    for (const ad of ['a1', 'a2']) {
      const served = await serving.query(clicks, ad, buckets);
      expect(served.buckets.map((b) => [b.bucket, b.value, b.source])).toEqual(buckets.map((b) => [b, want(ad, b), 'realtime']));
      expect(served.total).toBe(events.filter((e) => e.ad === ad).length);
    }
    expect(await raw.exists(topKey(p, b1))).toBe(1);
  });

  it('a batch publish expires the realtime 10 s buckets that end at or before its watermark, and no other', async () => {
    const p = viewPrefix('ten', clicks);
    const upTo = M0 + 3 * TEN_S + 5000; // inside the fourth bucket
    const expired = await expireRealtime(raw, 'ten', clicks, upTo);
    expect(expired).toBe(3);
    for (let i = 0; i < 7; i++) {
      const b = M0 + i * TEN_S;
      expect((await raw.zscore(topKey(p, b), 'a2')) !== null, bucketId(b)).toBe(i >= 3);
      expect(await raw.exists(topKey(p, b)), bucketId(b)).toBe(i < 3 ? 0 : 1);
    }
  });

  it('also expires buckets of the earlier layout (a per-key index, no buckets index), found by SCAN', async () => {
    const p = viewPrefix('ten', clicks);
    const old = M0 + 20 * TEN_S;
    // What a writer of the earlier layout left: a top ZSET and the per-key index, no buckets-index entry.
    await raw.zadd(topKey(p, old), 2, 'a9');
    await raw.zadd(keysKey(p), old, 'a9');
    expect(await raw.zscore(bucketsKey(p), String(old))).toBeNull();
    expect(await expireRealtime(raw, 'ten', clicks, old + TEN_S)).toBe(5); // buckets 3-6 by the index, the old one by SCAN
    expect(await raw.exists(topKey(p, old), keysKey(p))).toBe(0);
    expect(await raw.exists(topKey(p, M0 + 6 * TEN_S))).toBe(0);
  });

  it('states a range limit in buckets and in time at the view\'s bucket size', () => {
    const names = { from: '--from', to: '--to' };
    expect(() => precheckRange(clicks, { from: '2015-05-17T00:00:00Z', to: '2015-05-17T23:59:59Z' }, names)).not.toThrow();
    let err: unknown;
    try {
      precheckRange(clicks, { from: '2015-05-17T00:00:00Z', to: '2015-05-18T02:00:00Z' }, names);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QueryInputError);
    expect((err as Error).message).toBe("the range spans 9361 buckets of 10 s (1 day 2 h 10 s); at most 8784 per query (1 day 24 min of view 'clicks')");
  });
});
