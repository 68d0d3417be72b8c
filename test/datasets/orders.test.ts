/**
 * A Lambda application of its own, through the commands a user types: the orders example
 * (topologies/orders.ts, docs/datasets.md) declares its fact, its CSV format and two views;
 * `topo ingest`, `topo produce`, `topo run`, `topo batch`, `topo compact` and `topo query` work on it with
 * exact answers, against a real redis-server. And the mistakes a topology module can make
 * with its declarations fail naming what is wrong.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { lastJson, ROOT, topoIn, type QueryJson } from '../pageviews-e2e/harness.js';

const ORDERS = join(ROOT, 'topologies', 'orders.ts');
const CSV = join(ROOT, 'topologies', 'data', 'orders.csv');
const fixture = (name: string): string => join(ROOT, 'test', 'datasets', 'fixtures', name);

let server: RedisServer;
let dir: string;
let db = 0;
beforeAll(async () => {
  server = await startRedis();
  dir = mkdtempSync(join(tmpdir(), 'topo-orders-'));
});
afterAll(async () => {
  await server?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh master root and Redis database per test. */
function scratch(tag: string): { master: string; redis: string; rejects: string } {
  return { master: join(dir, tag, 'master'), redis: `${server.url}/${++db}`, rejects: join(dir, tag, 'rejects.jsonl') };
}

async function query(view: string, key: string, from: string, to: string, redis: string): Promise<QueryJson & { watermark: string | null }> {
  const r = await topoIn(['query', view, key, '--topology', ORDERS, '--from', from, '--to', to, '--json', '--redis', redis]);
  expect(r.code, r.stderr).toBe(0);
  return lastJson(r);
}

async function batch(master: string, redis: string, file = ORDERS): Promise<{ records: number; events: number; duplicates: number }> {
  const r = await topoIn(['batch', file, '--master', master, '--redis', redis, '--threads', '2', '--json', '-q'], { timeoutMs: 90_000 });
  expect(r.code, r.stderr).toBe(0);
  return lastJson(r);
}

describe('the orders application', () => {
  it('ingest (twice) + batch + query: exact answers, bad lines in the rejects file, each order counted once', async () => {
    const s = scratch('ingest');
    for (let i = 0; i < 2; i++) {
      const r = await topoIn(['ingest', CSV, '--topology', ORDERS, '--format', 'csv', '--master', s.master, '--rejects', s.rejects, '--json', '-q']);
      expect(r.code, r.stderr).toBe(0);
      expect(lastJson(r)).toMatchObject({ dataset: 'orders', lines: 10, records: 8, rejected: 2, partitions: 2 });
    }
    expect(readdirSync(join(s.master, 'orders')).sort()).toEqual(['date=2024-03-01', 'date=2024-03-02']);
    const rejects = readFileSync(s.rejects, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { lineNumber: number; reason: string; source: string });
    expect(rejects.slice(0, 2)).toEqual([
      { line: 'this line is not an order', lineNumber: 7, reason: 'expected 5 comma-separated columns, got 1', source: CSV },
      { line: 'o-1008,2024-03-02T00:10:00Z,cy,coffee,-300', lineNumber: 9, reason: "not a fact of dataset 'orders': amount must be whole cents >= 0, got -300", source: CSV },
    ]);

    const b = await batch(s.master, s.redis);
    expect(b).toMatchObject({ records: 16, events: 8, duplicates: 8 });
    const ada = await query('revenue', 'ada', '2024-03-01', '2024-03-02', s.redis);
    expect(ada.value).toBe(450 + 525 + 450);
    expect(ada.buckets.filter((x) => x.value !== 0).map((x) => [x.start, x.value, x.source])).toEqual([
      ['2024-03-01T09:00:00.000Z', 975, 'batch'],
      ['2024-03-01T23:00:00.000Z', 450, 'batch'],
      // Past the batch's watermark, and no speed layer ran: a hole, not 0.
      ['2024-03-02T00:00:00.000Z', null, 'missing'],
    ]);
    expect((await query('revenue', 'bob', '2024-03-01', '2024-03-02', s.redis)).value).toBe(300 + 300 + 525);
    expect((await query('orders', 'bob', '2024-03-01', '2024-03-02', s.redis)).value).toBe(3);
  });

  it('run writes the realtime views and the master dataset; a recompute from it gives the same answers', async () => {
    const s = scratch('run');
    const run = await topoIn(['run', ORDERS, '--redis', s.redis, '-c', `master=${s.master}`, '-c', `rejects=${s.rejects}`, '--json', '-q'], { timeoutMs: 90_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(lastJson<{ status: string }>(run).status).toBe('completed');
    expect(readFileSync(s.rejects, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { lineNumber: number }).lineNumber)).toEqual([7, 9]);
    const before = await query('revenue', 'bob', '2024-03-01', '2024-03-02', s.redis);
    // Hours before the run's first order are missing (the speed layer never read them), the rest realtime.
    expect([before.value, new Set(before.buckets.map((x) => x.source))]).toEqual([1125, new Set(['missing', 'realtime'])]);
    const firstRealtime = before.buckets.findIndex((x) => x.source === 'realtime');
    expect(before.buckets.slice(0, firstRealtime).every((x) => x.source === 'missing' && x.value === null)).toBe(true);
    expect(before.buckets.slice(firstRealtime).every((x) => x.source === 'realtime')).toBe(true);

    expect(await batch(s.master, s.redis)).toMatchObject({ records: 8, events: 8, duplicates: 0 });
    const after = await query('revenue', 'bob', '2024-03-01', '2024-03-02', s.redis);
    // The range ends with the bucket that holds --to (2024-03-02T00), past the batch's cover.
    const covered = after.buckets.filter((x) => x.start < '2024-03-02');
    expect([after.value, covered.length, new Set(covered.map((x) => x.source))]).toEqual([1125, 24, new Set(['batch'])]);
    // cy's 00:10 order was rejected; its 00:15 one is in the hour the batch does not cover yet (realtime).
    const cy = await query('orders', 'cy', '2024-03-01', '2024-03-03', s.redis);
    expect(cy.value).toBe(2);
    expect(cy.buckets.find((x) => x.start === '2024-03-02T00:00:00.000Z')).toEqual({ start: '2024-03-02T00:00:00.000Z', value: 1, source: 'realtime' });
  });

  it('compacts the orders dataset by name', async () => {
    const s = scratch('compact');
    for (let i = 0; i < 2; i++) expect((await topoIn(['ingest', CSV, '-t', ORDERS, '--format', 'csv', '--master', s.master, '--rejects', s.rejects, '-q'])).code).toBe(0);
    const r = await topoIn(['compact', '--dataset', 'orders', '--all', '--master', s.master, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(lastJson<{ dataset: string; partitions: { lines: number }[] }>(r)).toMatchObject({ dataset: 'orders', partitions: [{ lines: 14 }, { lines: 2 }] });
    const wrong = await topoIn(['compact', '--dataset', 'refunds', '--all', '--master', s.master]);
    expect([wrong.code, wrong.stderr]).toEqual([2, expect.stringContaining("no dataset 'refunds'")]);
    // A root holding two datasets: compact must be told which.
    expect((await topoIn(['ingest', join(ROOT, 'test', 'fixtures', 'batch', 'midnight.log'), '--format', 'apache', '--master', s.master, '--rejects', s.rejects, '-q'])).code).toBe(0);
    const which = await topoIn(['compact', '--all', '--master', s.master]);
    expect([which.code, which.stderr]).toEqual([2, expect.stringContaining('say which dataset: --dataset NAME')]);
    expect(which.stderr).toContain('orders, pageviews');
  });

  it('produce appends the good orders to a stream, identified by their dataset id', async () => {
    const s = scratch('produce');
    const r = await topoIn(['produce', CSV, '--stream', 'orders', '--topology', ORDERS, '--format', 'csv', '--redis', s.redis, '--rejects', s.rejects, '--json', '-q']);
    expect(r.code, r.stderr).toBe(0);
    expect(lastJson(r)).toMatchObject({ lines: 10, appended: 8, rejected: 2, duplicates: 0 });
    const redis = new Redis(s.redis);
    try {
      const entries = await redis.xrange('orders', '-', '+');
      const fields = entries.map(([, f]) => Object.fromEntries(Array.from({ length: f.length / 2 }, (_, i) => [f[2 * i]!, f[2 * i + 1]!])));
      expect(fields.map((f) => f['id'])).toEqual(['o-1001', 'o-1002', 'o-1003', 'o-1004', 'o-1005', 'o-1006', 'o-1007', 'o-1009']);
      expect(fields[0]).toEqual({ line: 'o-1001,2024-03-01T09:05:00Z,ada,tea,450', src: 'orders.csv:1', id: 'o-1001' });
    } finally {
      redis.disconnect();
    }
  });
});

describe('mistakes in a topology module', () => {
  it('--format naming a format the topology does not export exits 2 listing the ones it does', async () => {
    const s = scratch('format');
    const r = await topoIn(['ingest', CSV, '--topology', ORDERS, '--format', 'xml', '--master', s.master]);
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining("--format must be csv (the formats")]);
    const pv = await topoIn(['ingest', CSV, '--format', 'xml', '--master', s.master]);
    expect([pv.code, pv.stderr]).toEqual([2, expect.stringContaining('--format must be apache, jsonl or equiv')]);
  });

  it('a parser that throws on a line rejects that line and ingests the rest', async () => {
    const s = scratch('throwing');
    const r = await topoIn(['ingest', CSV, '--topology', fixture('throwing.ts'), '--format', 'csv', '--master', s.master, '--rejects', s.rejects, '--json', '-q']);
    expect(r.code, r.stderr).toBe(0);
    expect(lastJson(r)).toMatchObject({ records: 5, rejected: 5 });
    const reasons = readFileSync(s.rejects, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { lineNumber: number; reason: string });
    expect(reasons.filter((x) => x.reason === "format 'csv' threw: bob is not welcome").map((x) => x.lineNumber)).toEqual([2, 5, 6]);
  });

  it('a dataset declared twice fails validation naming it, in every command', async () => {
    for (const args of [['validate', fixture('twice.ts')], ['ingest', CSV, '-t', fixture('twice.ts'), '--format', 'csv', '--master', join(dir, 'twice')]]) {
      const r = await topoIn(args);
      expect([r.code, r.stderr]).toEqual([1, expect.stringContaining("dataset 'orders' is declared twice")]);
    }
  });

  it('a batch input naming an undeclared dataset fails naming it', async () => {
    const s = scratch('undeclared');
    mkdirSync(s.master, { recursive: true }); // a missing --master is refused first (exit 2)
    const r = await topoIn(['batch', fixture('undeclared.ts'), '--master', s.master, '--redis', s.redis, '-q']);
    expect([r.code, r.stderr]).toEqual([1, expect.stringContaining("batchInput: dataset 'refunds' is not declared: it declares 'orders'")]);
  });
});
