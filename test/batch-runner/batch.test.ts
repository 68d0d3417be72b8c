import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBatch } from '../../src/batch/runner/run.js';
import { ServingLayer } from '../../src/serving/query.js';
import { bouncesView, pageviewsView, uniquesView } from '../../topologies/pageviews/views.js';
import { expected, HOST, HOUR, randomRecords, rec, T0, tempRoot, writeDataset } from './fixture.js';
import { useRedis } from './use-redis.js';

const FILE = 'topologies/pageviews.ts';
const db = useRedis();

describe('topo batch recompute', () => {
  it('equals an independent computation over files, gzip, duplicates and midnight; covers whole buckets only', async () => {
    await db.redis.flushall();
    const records = randomRecords(600, 6);
    const root = tempRoot();
    writeDataset(root, records, 37);
    const r = await runBatch(db.redis, { file: FILE, root, threads: 2 });
    const exp = expected(records);
    expect(r.records).toBe(records.length);
    expect(r.duplicates).toBe(records.length - [...exp.pageviews.values()].reduce((a, b) => a + b, 0));
    expect(r.maxTs).toBe(exp.maxTs);
    const serving = new ServingLayer(db.redis, 'pageviews');
    const hours = Array.from({ length: 7 }, (_, i) => T0 + i * HOUR);
    let checked = 0;
    for (const [c, n] of exp.pageviews) {
      const [url, b] = c.split(' ') as [string, string];
      const bucket = Number(b);
      const q = await serving.query(pageviewsView, url, [bucket]);
      const covered = bucket + HOUR <= exp.maxTs;
      // Not covered: no speed layer ran here, so nothing vouches for the bucket (a hole, not 0).
      expect(q.buckets[0]!.source).toBe(covered ? 'batch' : 'missing');
      expect(q.buckets[0]!.value).toBe(covered ? n : null);
      const u = await serving.query(uniquesView, url, [bucket]);
      expect(u.buckets[0]!.value).toBe(covered ? exp.uniques.get(c)!.size : null);
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
    // Bounces: covered up to the latest event minus the visit gap (an open visit may still grow).
    const bw = exp.maxTs - 30 * 60_000;
    const bq = await serving.query(bouncesView, HOST, hours);
    expect(bq.watermark).toBe(bw);
    for (const b of bq.buckets) {
      const covered = b.bucket + HOUR <= bw;
      expect(b.source).toBe(covered ? 'batch' : 'missing');
      expect(b.value).toEqual(covered ? (exp.bounces.get(`${HOST} ${b.bucket}`) ?? { visits: 0, bounces: 0 }) : null);
    }
  });

  it('a batch input without identityFields nor accumulate (the plain routes) gives the same views', async () => {
    const records = randomRecords(600, 6);
    const root = tempRoot();
    writeDataset(root, records, 37);
    const hours = Array.from({ length: 7 }, (_, i) => T0 + i * HOUR);
    const urls = [...new Set([...expected(records).pageviews.keys()].map((c) => c.split(' ')[0]!))];
    const answers = async (file: string): Promise<unknown[]> => {
      await db.redis.flushall();
      const r = await runBatch(db.redis, { file, root, threads: 2 });
      const serving = new ServingLayer(db.redis, 'pageviews');
      const out: unknown[] = [r.events, r.duplicates, await serving.query(bouncesView, HOST, hours)];
      for (const url of urls) out.push(await serving.query(pageviewsView, url, hours), await serving.query(uniquesView, url, hours));
      return out;
    };
    const fast = await answers(FILE);
    const plain = await answers('test/batch-runner/fixtures/pageviews-plain-routes.ts');
    expect((fast[2] as { buckets: Array<{ value: { visits: number } }> }).buckets.some((b) => b.value.visits > 0)).toBe(true);
    expect(plain).toEqual(fast);
  });

  it('names a bad line with file:line, counts it, and fails only with --strict', async () => {
    await db.redis.flushall();
    const root = tempRoot();
    const [first] = writeDataset(root, [rec('1.1.1.1', '/a', T0), rec('1.1.1.2', '/a', T0 + 2 * HOUR)], 10);
    const dir = join(root, 'pageviews', 'date=2015-05-17');
    writeFileSync(join(dir, 'part-bad.jsonl'), `${JSON.stringify(rec('1.1.1.3', '/b', T0 + 1000))}\n{"id": "x"\n{"id":"y","url":"u","ip":"i"}\n`);
    const r = await runBatch(db.redis, { file: FILE, root, threads: 1 });
    expect(first).toBeDefined();
    expect(r.badLines).toBe(2);
    expect(r.bad[0]).toMatch(/part-bad\.jsonl:2: not JSON/);
    expect(r.bad[1]).toMatch(/part-bad\.jsonl:3: missing numeric 'ts'/);
    expect(r.records).toBe(3);
    await expect(runBatch(db.redis, { file: FILE, root, threads: 1, strict: true })).rejects.toThrow(/2 bad line\(s\).*part-bad\.jsonl:2/);
  });

  it('skips parts superseded by a finished compaction and ignores a void manifest', async () => {
    await db.redis.flushall();
    const root = tempRoot();
    const recs = [rec('2.2.2.1', '/c', T0), rec('2.2.2.2', '/c', T0 + 10), rec('2.2.2.3', '/c', T0 + 20)];
    writeDataset(root, recs, 1, 'in');
    const dir = join(root, 'pageviews', 'date=2015-05-17');
    // The compaction output holds all three lines; its inputs still exist (removal pending).
    writeFileSync(join(dir, 'part-out.jsonl'), recs.map((r) => JSON.stringify(r)).join('\n') + '\n');
    writeFileSync(join(dir, '_compaction-1.json'), JSON.stringify({ output: 'part-out.jsonl', inputs: ['part-in0000.jsonl', 'part-in0001.jsonl.gz', 'part-in0002.jsonl'], lines: 3 }));
    writeFileSync(join(dir, '_compaction-2.json'), JSON.stringify({ output: 'part-never.jsonl', inputs: ['part-out.jsonl'], lines: 3 }));
    writeDataset(root, [rec('2.2.2.4', '/d', T0 + 3 * HOUR)], 1, 'late');
    const r = await runBatch(db.redis, { file: FILE, root, threads: 2 });
    expect(r.files).toBe(2);
    expect(r.records).toBe(4);
    expect(r.duplicates).toBe(0);
    mkdirSync(join(root, 'pageviews', 'date=2015-05-19'), { recursive: true });
    const since = await runBatch(db.redis, { file: FILE, root, threads: 1, since: '2015-05-18' });
    expect(since.records).toBe(1);
    const until = await runBatch(db.redis, { file: FILE, root, threads: 1, until: '2015-05-17' });
    expect(until.records).toBe(3);
    const none = await runBatch(db.redis, { file: FILE, root, threads: 1, since: '2015-05-19' });
    expect(none.maxTs).toBeNull();
    expect(none.published).toEqual([]);
  });
});
