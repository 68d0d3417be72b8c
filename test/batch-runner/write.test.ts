/**
 * The batch writer's two routes: views whose cells each sit in one reduce partition (the key
 * view and views keyed the same) are written by their reducer (write.ts); views keyed
 * otherwise have their parts from several reducers summed by a combine task (combine.ts).
 * Both must leave exactly the truth under the key schema the serving layer reads, and a
 * failed write must publish nothing.
 */
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { PageviewRecord as MasterRecord } from '../../topologies/pageviews/dataset.js';
import { partitionOf } from '../../src/batch/runner/input.js';
import { RespWriter } from '../../src/batch/runner/resp-writer.js';
import { runBatch } from '../../src/batch/runner/run.js';
import { ServingLayer } from '../../src/serving/query.js';
import { batchBucketsKey, batchPointerKey, batchPrefix, keysKey, topKey, valueKey, viewPrefix } from '../../src/views/keys.js';
import { HOUR, randomRecords, rec, T0, tempRoot, writeDataset } from './fixture.js';
import { views, type Hit } from './fixtures/mixed-views.js';
import { startRedis } from '../helpers/redis-server.js';
import { useRedis } from './use-redis.js';

const FILE = 'test/batch-runner/fixtures/mixed-views.ts';
const NS = 'mixed';

/** Records with varied (binary-exact) byte counts; a duplicate keeps its twin's. */
function records(n: number, seed: number): MasterRecord[] {
  return randomRecords(n, 6, seed).map((r) => ({ ...r, bytes: (r.ts % 997) * 0.25 }));
}

type Truth = Map<string, Map<number, number | Set<string>>>;

/** Every view's covered cells computed directly: dedupe, then the view's key and aggregation. */
function truth(recs: readonly MasterRecord[]): { views: Map<string, Truth>; maxTs: number } {
  const seen = new Set<string>();
  const out = new Map<string, Truth>(views.map((v) => [v.name, new Map()]));
  const maxTs = Math.max(...recs.map((r) => r.ts));
  for (const r of recs) {
    const e: Hit = { visitor: r.user ?? r.ip, url: r.url, ts: r.ts, bytes: r.bytes ?? 0, user: r.user };
    const id = `${e.visitor}|${e.url}|${e.ts}`;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const v of views) {
      const key = v.keyOf(e);
      const bucket = Math.floor(e.ts / HOUR) * HOUR;
      if (key === null || bucket + HOUR > maxTs) continue;
      const cells = out.get(v.name)!;
      const byBucket = cells.get(key) ?? new Map<number, number | Set<string>>();
      cells.set(key, byBucket);
      const a = v.aggregation;
      const old = byBucket.get(bucket);
      if (a.kind === 'distinct') byBucket.set(bucket, ((old as Set<string>) ?? new Set()).add(String(e[a.field as keyof Hit])));
      else byBucket.set(bucket, ((old as number) ?? 0) + (a.kind === 'sum' ? Number(e[a.field as keyof Hit]) : 1));
    }
  }
  return { views: out, maxTs };
}

/** PFCOUNT of a HyperLogLog of exactly `members` (an estimate above ~100 members, the same for any insertion order). */
async function hllCount(redis: Redis, members: ReadonlySet<string>): Promise<number> {
  const [[, n]] = (await redis.multi().pfadd('test:hll', ...members).pfcount('test:hll').del('test:hll').exec())!.slice(1) as Array<[null, number]>;
  return n!;
}

/**
 * The batch version's keys of every view equal the truth: values, top ZSETs, keys index,
 * buckets index. A distinct value is the HyperLogLog of the exact members; its top score is
 * the exact member count.
 */
async function expectVersion(redis: Redis, batchId: number, t: ReturnType<typeof truth>): Promise<void> {
  for (const v of views) {
    const bp = batchPrefix(viewPrefix(NS, v), batchId);
    const cells = t.views.get(v.name)!;
    const buckets = new Set<number>();
    const tops = new Map<number, Array<[string, number]>>();
    for (const [key, byBucket] of cells) {
      for (const [bucket, value] of byBucket) {
        buckets.add(bucket);
        const n = value instanceof Set ? await hllCount(redis, value) : value;
        // Count cells are their bucket's top ZSET (src/views/kinds/numeric.ts).
        const got = value instanceof Set ? await redis.pfcount(valueKey(bp, key, bucket)) : Number(await redis.zscore(topKey(bp, bucket), key));
        expect(got, `${v.name} ${key} ${bucket}`).toBe(n);
        const score = value instanceof Set ? value.size : n;
        tops.set(bucket, [...(tops.get(bucket) ?? []), [key, score]]);
      }
      const latest = Math.max(...byBucket.keys());
      expect(Number(await redis.zscore(keysKey(bp), key)), `${v.name} keys index ${key}`).toBe(latest);
    }
    expect(await redis.zcard(keysKey(bp))).toBe(cells.size);
    expect((await redis.zrange(batchBucketsKey(bp), '0', '-1')).map(Number).sort()).toEqual([...buckets].sort());
    for (const [bucket, want] of tops) {
      const got = await redis.zrange(topKey(bp, bucket), '0', '-1', 'WITHSCORES');
      const pairs: Array<[string, number]> = [];
      for (let i = 0; i < got.length; i += 2) pairs.push([got[i]!, Number(got[i + 1])]);
      expect(new Map(pairs), `${v.name} top ${bucket}`).toEqual(new Map(want));
    }
  }
}

const db = useRedis();

describe('batch writer', () => {
  it('writes views keyed like the key view by their reducer and combines the others, all equal to the truth', async () => {
    await db.redis.flushall();
    const recs = records(1500, 3);
    const root = tempRoot();
    writeDataset(root, recs, 53);
    await db.redis.config('RESETSTAT');
    const r = await runBatch(db.redis, { file: FILE, root, threads: 2 });
    const t = truth(recs);
    const stats = await db.redis.info('commandstats');
    await expectVersion(db.redis, r.batchId!, t);
    const calls = (cmd: string): number => Number(new RegExp(`cmdstat_${cmd}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
    const cellsOf = (name: string): number => [...t.views.get(name)!.values()].reduce((a, m) => a + m.size, 0);
    // Every cell written once, by its reducer or its key partition's combine task: one PFADD
    // per distinct cell, and no merge (script, INCRBYFLOAT, PFCOUNT) anywhere.
    expect(calls('pfadd')).toBe(cellsOf('visitors') + cellsOf('visitorurls'));
    for (const cmd of ['evalsha', 'incrbyfloat', 'pfcount', 'exists', 'hincrby']) expect(calls(cmd), cmd).toBe(0);
    // Cells of the views keyed by visitor have events in several URL partitions (2 threads: 4),
    // so their reducers each hold a part and only the combine makes them whole.
    const parts = new Map<string, Set<number>>();
    for (const x of recs) {
      const cell = `${x.user ?? x.ip} ${Math.floor(x.ts / HOUR)}`;
      parts.set(cell, (parts.get(cell) ?? new Set()).add(partitionOf(x.url, 4)));
    }
    expect([...parts.values()].filter((p) => p.size > 1).length).toBeGreaterThan(20);
    expect(r.published.map((p) => [p.view, p.keys])).toEqual(views.map((v) => [v.name, cellsOf(v.name)]));
    // Queries read the version as they read a realtime view.
    const serving = new ServingLayer(db.redis, NS);
    const [key, byBucket] = [...t.views.get('visitors')!].find(([, m]) => m.size > 1)!;
    const q = await serving.query(views[1]!, key, [...byBucket.keys()]);
    expect(q.buckets.map((b) => [b.source, b.value])).toEqual([...byBucket.values()].map((s) => ['batch', (s as Set<string>).size]));
  });

  it('encodes arguments of any UTF-8 length and numbers exactly, and fails on an error reply', async () => {
    await db.redis.flushall();
    const w = RespWriter.open({ host: '127.0.0.1', port: db.server.port });
    // Lengths whose UTF-8 byte count has more digits than their char count (the header moves).
    const values = ['', 'a', '€€€€', '😀😀😀', 'é'.repeat(50), 'x'.repeat(9), '€'.repeat(34), 'ü'.repeat(5000), `k{${'€'.repeat(400)}}`];
    values.forEach((v, i) => w.command('SET', 2).arg(`s:${i}`).arg(v));
    const numbers = [0, 7, 10, 99, 100, 123456789, 2 ** 53 - 1, -5, 0.25, 1e21];
    numbers.forEach((n, i) => w.command('SET', 2).arg(`n:${i}`).num(n));
    await w.end();
    expect(await db.redis.mget(values.map((_, i) => `s:${i}`))).toEqual(values);
    expect((await db.redis.mget(numbers.map((_, i) => `n:${i}`))).map(Number)).toEqual(numbers);
    const bad = RespWriter.open({ host: '127.0.0.1', port: db.server.port });
    bad.command('SET', 2).arg('s:0').arg('x');
    bad.command('INCR', 1).arg('s:1');
    bad.command('SET', 2).arg('s:2').arg('y');
    await expect(bad.end()).rejects.toThrow(/Redis refused a batch write: ERR value is not an integer/);
    expect(await db.redis.get('s:2')).toBe('y');
  });

  it('authenticates and selects the database of the client it is given', async () => {
    const secured = await startRedis({ args: ['--requirepass', 'pw'] });
    const client = new Redis({ port: secured.port, host: '127.0.0.1', password: 'pw', db: 3 });
    try {
      const recs = records(300, 5);
      const root = tempRoot();
      writeDataset(root, recs, 29);
      const r = await runBatch(client, { file: FILE, root, threads: 1 });
      await expectVersion(client, r.batchId!, truth(recs));
      await client.select(0);
      expect(await client.dbsize()).toBe(0);
    } finally {
      client.disconnect();
      await secured.dispose();
    }
  });

  it('fails the run on a refused write and leaves the published version answering', async () => {
    await db.redis.flushall();
    const first = records(400, 7);
    const root = tempRoot();
    writeDataset(root, first, 31);
    const r1 = await runBatch(db.redis, { file: FILE, root, threads: 2 });
    // A second, larger dataset; Redis runs out of memory partway through writing it.
    const more = records(5000, 8).map((x, i) => rec(x.ip, `${x.path}/${i}`, x.ts + 6 * HOUR, x.user));
    writeDataset(root, more, 500, 'b');
    const used = Number(/used_memory:(\d+)/.exec(await db.redis.info('memory'))![1]);
    await db.redis.config('SET', 'maxmemory', String(used + 300_000));
    try {
      await expect(runBatch(db.redis, { file: FILE, root, threads: 2 })).rejects.toThrow(/OOM/);
    } finally {
      await db.redis.config('SET', 'maxmemory', '0');
    }
    for (const v of views) expect(await db.redis.hget(batchPointerKey(viewPrefix(NS, v)), 'current')).toBe(String(r1.batchId));
    await expectVersion(db.redis, r1.batchId!, truth(first));
    // The next run removes the failed version and publishes whole.
    const r3 = await runBatch(db.redis, { file: FILE, root, threads: 2 });
    await expectVersion(db.redis, r3.batchId!, truth([...first, ...more]));
    expect(r3.published.every((p) => p.versionsDeleted.includes(r1.batchId! + 1))).toBe(true);
  });
});
