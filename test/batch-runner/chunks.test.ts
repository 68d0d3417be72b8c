/**
 * The batch reader's chunked line splitting, where chunk boundaries fall (1 MiB reads), and
 * the plain views' shuffle by key: each cell reduced by one reducer and written to Redis once.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { BadRecordError, readRecordChunks } from '../../src/batch/reader.js';
import { pageviewsDataset, type PageviewRecord as MasterRecord } from '../../topologies/pageviews/dataset.js';
import { factProblem } from '../../src/batch/dataset.js';

const pageviewFact = (v: unknown): string | null => factProblem(pageviewsDataset, v);
import { runBatch } from '../../src/batch/runner/run.js';
import { expected, randomRecords, rec, T0, tempRoot, writeDataset } from './fixture.js';
import { useRedis } from './use-redis.js';

async function readAll(file: string): Promise<{ records: MasterRecord[]; bad: BadRecordError[] }> {
  const records: MasterRecord[] = [];
  const bad: BadRecordError[] = [];
  for await (const chunk of readRecordChunks<MasterRecord>(file, (e) => bad.push(e), pageviewFact)) records.push(...chunk);
  return { records, bad };
}

describe('readRecordChunks', () => {
  // ~3 MiB of records whose paths hold multi-byte characters (so some straddle a 1 MiB read),
  // CRLF line ends on some lines, blank lines, two bad lines after the first boundary, and
  // no newline after the last line.
  const records: MasterRecord[] = [];
  const lines: string[] = [];
  const badAt: number[] = [];
  for (let i = 0; records.length < 12_000; i++) {
    if (i === 5_000 || i === 9_001) {
      lines.push(i === 5_000 ? '{"id": broken' : '{"id":"x","url":"u","ip":"i"}');
      badAt.push(i + 1);
      continue;
    }
    if (i % 997 === 0) {
      lines.push('   ');
      continue;
    }
    const r = rec(`10.0.${i % 250}.${i % 7}`, `/é€😀/${'x'.repeat(i % 113)}/${i}`, T0 + i * 1000);
    records.push(r);
    lines.push(JSON.stringify(r) + (i % 3 === 0 ? '\r' : ''));
  }
  const text = lines.join('\n');

  it('returns every record in order and names bad lines by their line number, plain and gzip', async () => {
    const root = tempRoot();
    for (const [name, data] of [['part-a.jsonl', text], ['part-b.jsonl.gz', gzipSync(text)]] as const) {
      const file = join(root, name);
      writeFileSync(file, data);
      const got = await readAll(file);
      expect(Buffer.byteLength(text)).toBeGreaterThan(3 * 2 ** 20);
      expect(got.records).toEqual(records);
      expect(got.bad.map((e) => e.line)).toEqual(badAt);
      expect(got.bad[0]!.message).toContain(`${name}:${badAt[0]}: not JSON`);
      expect(got.bad[1]!.message).toContain(`${name}:${badAt[1]}: missing numeric 'ts'`);
    }
  });

  it('throws the first bad line by default, and a corrupt gzip as unreadable', async () => {
    const root = tempRoot();
    const file = join(root, 'part-c.jsonl');
    writeFileSync(file, text);
    const drain = async (): Promise<void> => {
      for await (const chunk of readRecordChunks(file)) void chunk;
    };
    await expect(drain()).rejects.toThrow(`part-c.jsonl:${badAt[0]}: not JSON`);
    const gz = join(root, 'part-d.jsonl.gz');
    writeFileSync(gz, gzipSync(text).subarray(0, 5000));
    await expect(readAll(gz)).rejects.toThrow(/part-d\.jsonl\.gz:\d+: unreadable/);
    await expect(readAll(join(root, 'part-gone.jsonl.gz'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('plain views shuffled by key', () => {
  const db = useRedis();

  it('writes each pageviews and uniques cell once, however many visitors (reducers) it has', async () => {
    await db.redis.flushall();
    const records = randomRecords(900, 6);
    const root = tempRoot();
    writeDataset(root, records, 41);
    await db.redis.config('RESETSTAT');
    const r = await runBatch(db.redis, { file: 'topologies/pageviews.ts', root, threads: 2 });
    const stats = await db.redis.info('commandstats');
    const calls = (cmd: string): number => Number(new RegExp(`cmdstat_${cmd}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
    const exp = expected(records);
    const covered = [...exp.pageviews.keys()].filter((c) => Number(c.split(' ')[1]) + 3_600_000 <= exp.maxTs).length;
    // Many cells have several visitors, so a shuffle by visitor would write them in parts.
    const multiVisitor = [...exp.uniques.values()].filter((s) => s.size > 1).length;
    expect(multiVisitor).toBeGreaterThan(10);
    // Written once per cell, without a merge: one PFADD per uniques cell, pageviews as their
    // buckets' top ZSETs (ZADD, no key per cell), and no read-modify-write (INCRBYFLOAT,
    // PFCOUNT, ZINCRBY) as a merge of parts would need.
    expect(calls('pfadd')).toBe(covered);
    expect(calls('incrbyfloat')).toBe(0);
    expect(calls('pfcount')).toBe(0);
    expect(calls('zincrby')).toBe(0);
    expect(calls('mset')).toBe(0);
    expect(calls('zadd')).toBeGreaterThan(0);
    expect(r.published.find((p) => p.view === 'pageviews')!.keys).toBeGreaterThan(0);
  });
});
