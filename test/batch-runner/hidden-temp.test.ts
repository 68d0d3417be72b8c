// Temp parts in the master dataset are facts the batch has not read. An abandoned one (its
// writer's pid is dead) is recovered and read; a live writer's caps the watermark below the
// earliest event it holds, so no batch covers a bucket with an unread fact and no realtime
// bucket past what was read is expired (before: temp parts were ignored, the watermark went
// to the end of the rolled data and a second run expired the realtime copy).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBatch } from '../../src/batch/runner/run.js';
import { newUnique } from '../../src/batch/master/names.js';
import { ServingLayer } from '../../src/serving/query.js';
import { RedisViewStore } from '../../src/speed/redis-store.js';
import { pageviewsView } from '../../topologies/pageviews/views.js';
import type { ViewUpdate } from '../../src/views/view.js';
import type { PageviewRecord as MasterRecord } from '../../topologies/pageviews/dataset.js';
import { HOST, HOUR, rec, T0, tempRoot, writeDataset } from './fixture.js';
import { useRedis } from './use-redis.js';

const FILE = 'topologies/pageviews.ts';
const URL_A = `http://${HOST}/a`;
const db = useRedis();
let store: RedisViewStore;
beforeAll(() => {
  store = RedisViewStore.open(db.server.url, { namespace: 'pageviews' });
});
afterAll(async () => {
  await store?.close();
});

const lines = (rs: readonly MasterRecord[]): string => rs.map((r) => JSON.stringify(r)).join('\n') + '\n';
const dir = (root: string): string => join(root, 'pageviews', 'date=2015-05-17');
/** A pid that no process has now (a child that has exited). */
const deadPid = (): number => spawnSync('true').pid!;

describe('topo batch and temp parts', () => {
  it('recovers and reads an abandoned temp part; caps the watermark below a live one and expires no realtime bucket past it', async () => {
    await db.redis.flushall();
    const root = tempRoot();
    // Rolled: one pageview of /a in each of hours 0..3 (latest event 23:10 + 3 h).
    writeDataset(root, [0, 1, 2, 3].map((h) => rec('10.0.0.1', '/a', T0 + h * HOUR + 10 * 60_000)), 2);
    // Abandoned (dead pid): two more pageviews of /a in hour 0.
    const abandoned = newUnique().replace(`-${process.pid}-`, `-${deadPid()}-`);
    writeFileSync(join(dir(root), `.part-${abandoned}.jsonl.tmp`), lines([rec('10.0.0.2', '/a', T0 + 60_000), rec('10.0.0.3', '/a', T0 + 120_000)]) + '{"id":"torn');
    // Live (this process): a pageview of /a at 23:05 in hour 1, not yet rolled by its writer.
    const live = join(dir(root), `.part-${newUnique()}.jsonl.tmp`);
    const earliest = T0 + HOUR + 5 * 60_000;
    writeFileSync(live, lines([rec('10.0.0.4', '/a', earliest + 60_000), rec('10.0.0.5', '/a', earliest)]));
    // The speed layer holds hours 0..3 of /a (including the live part's fact in hour 1).
    const ups: ViewUpdate[] = [0, 1, 2, 3].map((h) => ({ view: 'pageviews', key: URL_A, bucket: T0 + h * HOUR, n: h === 1 ? 3 : 1 }));
    await store.apply(ups, [pageviewsView]);

    const first = await runBatch(db.redis, { file: FILE, root, threads: 1 });
    expect(first.records).toBe(4 + 2); // the abandoned part was recovered and read
    expect(first.tempParts).toEqual({ recovered: 1, live: 1, liveLines: 2, liveEarliest: earliest });
    const pv = first.published.find((p) => p.view === 'pageviews')!;
    expect(pv.watermark).toBe(earliest); // not T0 + 3 h 10 min, the latest event read
    const names = readdirSync(dir(root));
    expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([live.split('/').pop()]);

    // A second run (expiry goes up to the previous version's watermark) keeps hour 1's realtime bucket.
    const second = await runBatch(db.redis, { file: FILE, root, threads: 1 });
    expect(second.published.find((p) => p.view === 'pageviews')!.realtimeBucketsExpired).toBe(1); // hour 0 only
    const q = await new ServingLayer(db.redis, 'pageviews').query(pageviewsView, URL_A, [0, 1, 2, 3].map((h) => T0 + h * HOUR));
    expect(q.buckets.map((b) => [b.value, b.source])).toEqual([[3, 'batch'], [3, 'realtime'], [1, 'realtime'], [1, 'realtime']]);
  });

  it('with no temp part, the watermark is the latest event read', async () => {
    await db.redis.flushall();
    const root = tempRoot();
    mkdirSync(dir(root), { recursive: true });
    writeDataset(root, [rec('10.0.0.1', '/a', T0 + 10 * 60_000), rec('10.0.0.1', '/a', T0 + HOUR)], 2);
    const r = await runBatch(db.redis, { file: FILE, root, threads: 1 });
    expect(r.tempParts).toEqual({ recovered: 0, live: 0, liveLines: 0, liveEarliest: null });
    expect(r.published.find((p) => p.view === 'pageviews')!.watermark).toBe(T0 + HOUR);
  });
});
