/**
 * A partial batch run (`--since`, `--until`) replaces only the dates it recomputed and keeps
 * every other bucket of the version it replaces (src/batch/runner/carry-over.ts). Before, the
 * issue's sequence answered 37 instead of 197: a `--since` version answered every bucket
 * before its first date with nothing. Real redis-server, the shipped log.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { lastJson, PAGEVIEWS, SHIPPED_LOG, topoIn, type QueryJson } from '../pageviews-e2e/harness.js';

const URL = 'http://semicomplete.com/';
let server: RedisServer;
let dir: string;
beforeAll(async () => {
  server = await startRedis();
  dir = mkdtempSync(join(tmpdir(), 'topo-partial-'));
});
afterAll(async () => {
  await server?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('a partial batch run', () => {
  it('keeps the dates it did not read: --since, new data then --since again, --until, and rollback', async () => {
    const master = join(dir, 'master');
    const redis = `${server.url}/3`;
    const ok = async (args: string[]) => {
      const r = await topoIn(args, { timeoutMs: 120_000 });
      expect(r.code, r.stderr).toBe(0);
      return r;
    };
    const query = async (from = '2015-05-17', to = '2015-05-21') =>
      lastJson<QueryJson>(await ok(['query', 'pageviews', URL, '--topology', PAGEVIEWS, '--from', from, '--to', to, '--json', '--redis', redis]));
    await ok(['ingest', SHIPPED_LOG, '--format', 'apache', '--master', master, '-q']);
    await ok(['batch', PAGEVIEWS, '--master', master, '--redis', redis, '-q']);
    const full = await query();
    expect(full.value).toBe(197);
    const perBucket = full.buckets.map((b) => [b.start, b.value]);

    await ok(['batch', PAGEVIEWS, '--master', master, '--redis', redis, '--since', '2015-05-20', '-q']);
    const since = await query();
    expect(since.value).toBe(197); // was 37
    expect(since.buckets.map((b) => [b.start, b.value])).toEqual(perBucket);
    expect(since.buckets.filter((b) => b.start < '2015-05-20').every((b) => b.source === 'batch')).toBe(true);

    // A late fact on the 18th, then a run over the 18th only: that bucket changes, no other.
    const lateFile = join(dir, 'late.jsonl');
    writeFileSync(lateFile, `${JSON.stringify({ url: URL, visitor: '10.9.9.9', ts: '2015-05-18T10:30:00Z' })}\n`);
    await ok(['ingest', lateFile, '--format', 'jsonl', '--master', master, '-q']);
    await ok(['batch', PAGEVIEWS, '--master', master, '--redis', redis, '--since', '2015-05-18', '--until', '2015-05-18', '-q']);
    const until = await query();
    expect(until.value, JSON.stringify(until.buckets.map((b, i) => [b.start, b.value, perBucket[i]![1], b.source]).filter((x) => x[1] !== x[2] || x[0] >= "2015-05-18T00" && x[0] < "2015-05-19T01"))).toBe(198);
    const changed = until.buckets.filter((b, i) => b.value !== perBucket[i]![1]);
    expect(changed.map((b) => [b.start, b.value - (perBucket.find(([s]) => s === b.start)![1] as number)])).toEqual([['2015-05-18T10:00:00.000Z', 1]]);

    // Rollback goes one version back (the --since run's): whole too.
    await ok(['batch', PAGEVIEWS, '--redis', redis, '--rollback', 'pageviews']);
    expect((await query()).value).toBe(197);
  }, 240_000);
});
