import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { acquireLease } from '../../src/batch/runner/lease.js';
import { rollbackBatch, runBatch } from '../../src/batch/runner/run.js';
import { ServingLayer } from '../../src/serving/query.js';
import { RedisViewStore } from '../../src/speed/redis-store.js';
import { bouncesView, pageviewsView, uniquesView } from '../../topologies/pageviews/views.js';
import { topKey, viewPrefix } from '../../src/views/keys.js';
import type { ViewUpdate } from '../../src/views/view.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { HOST, HOUR, rec, T0, tempRoot, writeDataset } from '../batch-runner/fixture.js';

const FILE = 'topologies/pageviews.ts';
const URL_A = `http://${HOST}/a`;
let server: RedisServer;
let redis: Redis;
let store: RedisViewStore;
let serving: ServingLayer;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.port, '127.0.0.1');
  store = RedisViewStore.open(server.url, { namespace: 'pageviews' });
  serving = new ServingLayer(redis, 'pageviews');
});
beforeEach(async () => {
  await redis.flushall();
  // A fresh writer: one remembers the buckets it already vouched for (see realtime-coverage.ts).
  await store?.close();
  store = RedisViewStore.open(server.url, { namespace: 'pageviews' });
});
afterAll(async () => {
  await store?.close();
  redis?.disconnect();
  await server?.dispose();
});

/** Per hour h (0..4) of /a: h+1 pageviews, by visitors v0..vh; the last event at hour 3:10 (watermark). */
function dataset(): ReturnType<typeof rec>[] {
  const out = [];
  for (let h = 0; h < 4; h++) for (let i = 0; i <= h; i++) out.push(rec(`10.1.0.${i}`, '/a', T0 + h * HOUR + i * 60_000));
  out.push(rec('10.1.0.9', '/b', T0 + 3 * HOUR + 10 * 60_000));
  return out;
}
const truth = (h: number): number => h + 1;
const hours = Array.from({ length: 5 }, (_, h) => T0 + h * HOUR);

/** The realtime view of /a for hours 0..4 with `factor` times the true counts (2: a buggy speed layer). */
async function realtime(factor: number): Promise<void> {
  const ups: ViewUpdate[] = [];
  for (let h = 0; h < 5; h++) {
    ups.push({ view: 'pageviews', key: URL_A, bucket: hours[h]!, n: truth(h) * factor });
    for (let i = 0; i <= h; i++) ups.push({ view: 'uniques', key: URL_A, bucket: hours[h]!, member: `10.1.0.${i + (h === 4 ? 20 : 0)}` });
  }
  await store.apply(ups, [pageviewsView, uniquesView]);
}

describe('serving: query = f(batch view, realtime view)', () => {
  it('answers covered buckets from the batch and later ones from realtime; repairs a doubled speed layer', async () => {
    await realtime(2);
    const before = await serving.query(pageviewsView, URL_A, hours);
    expect(before.watermark).toBeNull();
    expect(before.buckets.map((b) => [b.value, b.source])).toEqual(hours.map((_, h) => [2 * truth(h), 'realtime']));
    const root = tempRoot();
    writeDataset(root, dataset(), 3);
    await runBatch(redis, { file: FILE, root, threads: 2 });
    const after = await serving.query(pageviewsView, URL_A, hours);
    // The watermark is 03:10 in hour 3: hours 0-2 are whole and batch, 3-4 still realtime.
    expect(after.watermark).toBe(T0 + 3 * HOUR + 10 * 60_000);
    expect(after.buckets.map((b) => [b.value, b.source])).toEqual([
      [1, 'batch'], [2, 'batch'], [3, 'batch'], [8, 'realtime'], [10, 'realtime'],
    ]);
    expect(after.total).toBe(1 + 2 + 3 + 8 + 10);
  });

  it('merges distinct counts over the watermark by HyperLogLog union, not a sum', async () => {
    await realtime(1);
    const root = tempRoot();
    writeDataset(root, dataset(), 4);
    await runBatch(redis, { file: FILE, root, threads: 1 });
    const q = await serving.query(uniquesView, URL_A, hours);
    expect(q.buckets.map((b) => [b.value, b.source])).toEqual([[1, 'batch'], [2, 'batch'], [3, 'batch'], [4, 'realtime'], [5, 'realtime']]);
    // Batch hours: v0..v2; realtime hour 3: v0..v3; hour 4: v20..v24. Union: 4 + 5.
    expect(q.total).toBe(9);
  });

  it('rolls back to the previous version and keeps the realtime buckets it needs', async () => {
    await realtime(1);
    const root = tempRoot();
    writeDataset(root, dataset(), 3, 'first');
    const first = await runBatch(redis, { file: FILE, root, threads: 1 });
    // Later data (hour 5) and a late fact in hour 0 arrive; the second run covers hours 0-4.
    writeDataset(root, [rec('10.1.0.7', '/a', T0 + 5), rec('10.1.0.8', '/b', T0 + 5 * HOUR + 1)], 3, 'second');
    const second = await runBatch(redis, { file: FILE, root, threads: 1 });
    const q2 = await serving.query(pageviewsView, URL_A, hours);
    expect(q2.buckets.map((b) => [b.value, b.source])).toEqual([[2, 'batch'], [2, 'batch'], [3, 'batch'], [4, 'batch'], [0, 'batch']]);
    // Realtime buckets covered by the *first* version (hours 0-2) are gone; hour 3 stays.
    const p = viewPrefix('pageviews', pageviewsView);
    expect(await redis.exists(topKey(p, hours[2]!))).toBe(0);
    expect(await redis.zscore(topKey(p, hours[3]!), URL_A)).not.toBe(null);
    const { before } = await rollbackBatch(redis, FILE, 'pageviews');
    expect(before.current).toBe(second.batchId);
    expect(before.previous).toBe(first.batchId);
    const q1 = await serving.query(pageviewsView, URL_A, hours);
    expect(q1.watermark).toBe(first.published[0]!.watermark);
    expect(q1.buckets.map((b) => [b.value, b.source])).toEqual([[1, 'batch'], [2, 'batch'], [3, 'batch'], [4, 'realtime'], [5, 'realtime']]);
    await expect(rollbackBatch(redis, FILE, 'pageviews')).rejects.toThrow(/no previous batch version/);
  });

  it('refuses a second batch run while one holds the lease, naming the holder; --wait waits', async () => {
    const root = tempRoot();
    writeDataset(root, dataset(), 3);
    const lease = await acquireLease(redis, 'pageviews', { holder: 'run-A on host-1', ttlMs: 5000 });
    await expect(runBatch(redis, { file: FILE, root, threads: 1 })).rejects.toThrow(/another batch run holds the lease.*run-A on host-1/);
    setTimeout(() => void lease.release(), 700);
    const t0 = Date.now();
    const r = await runBatch(redis, { file: FILE, root, threads: 1, waitMs: 10_000 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(600);
    expect(r.published).toHaveLength(3);
  });

  it('never double counts nor misses a bucket while batch runs publish repeatedly', async () => {
    await realtime(1);
    const root = tempRoot();
    writeDataset(root, dataset(), 2);
    let publishing = true;
    const bad: string[] = [];
    const latencies: number[] = [];
    const queries = (async () => {
      while (publishing) {
        const t = performance.now();
        const [pv, uq] = await Promise.all([serving.query(pageviewsView, URL_A, hours), serving.query(uniquesView, URL_A, hours)]);
        latencies.push(performance.now() - t);
        const values = pv.buckets.map((b) => b.value);
        if (JSON.stringify(values) !== JSON.stringify(hours.map((_, h) => truth(h))) || pv.total !== 15) bad.push(`pageviews ${JSON.stringify(pv)}`);
        if (uq.total !== 9) bad.push(`uniques ${JSON.stringify(uq)}`);
      }
    })();
    for (let i = 0; i < 6; i++) await runBatch(redis, { file: FILE, root, threads: 1 });
    publishing = false;
    await queries;
    expect(bad).toEqual([]);
    expect(latencies.length).toBeGreaterThan(20);
    latencies.sort((a, b) => a - b);
    process.stderr.write(`[serving] ${latencies.length} queries during publishes: p50 ${latencies[latencies.length >> 1]!.toFixed(2)} ms, p99 ${latencies[Math.floor(latencies.length * 0.99)]!.toFixed(2)} ms\n`);
  });

  it('computes the bounce rate exactly across midnight and across files', async () => {
    const m = Date.UTC(2015, 4, 18); // midnight
    const recs = [
      rec('v1', '/x', m - 10 * 60_000), rec('v1', '/y', m + 10 * 60_000), // one visit over midnight: no bounce
      rec('v2', '/x', m - 60_000), // a bounce at 23:59
      rec('v3', '/x', m + 5 * 60_000), rec('v3', '/x', m + 50 * 60_000), // two visits (40 min gap): two bounces
      rec('v9', '/z', m + 3 * HOUR), // moves the watermark past the visit gap
    ];
    const root = tempRoot();
    writeDataset(root, recs, 1);
    await runBatch(redis, { file: FILE, root, threads: 2 });
    const q = await serving.query(bouncesView, HOST, [m - HOUR, m]);
    expect(q.buckets.map((b) => [b.value, b.source])).toEqual([
      [{ visits: 2, bounces: 1 }, 'batch'], // v1 (first pageview 23:50), v2
      [{ visits: 2, bounces: 2 }, 'batch'], // v3 twice
    ]);
    expect(bouncesView.present!(q.total as Record<string, number>)).toEqual({ rate: 0.75, visits: 4, bounces: 3 });
  });
});
