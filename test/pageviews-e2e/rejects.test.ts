/**
 * Lines that do not parse: the run completes, each bad line is in the rejects file once with
 * its line number and a reason, the good lines are counted. Then JSON Lines input (ts as ISO
 * with and without an offset and as epoch ms, with and without a user).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt } from '../cli/run-cli.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { fixture, lastJson, PAGEVIEWS, topoIn, type QueryJson, type RunSummaryJson } from './harness.js';
import { refEvents, truthOf } from './reference.js';

let server: RedisServer;
let tmp: string;
beforeAll(async () => {
  assertBuilt();
  server = await startRedis();
  tmp = mkdtempSync(join(tmpdir(), 'topo-pv-rejects-'));
});
afterAll(async () => {
  await server?.dispose();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

interface Reject { line: string; lineNumber: number; reason: string; source: string }

const readRejects = (path: string): Reject[] =>
  readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Reject);

async function run(input: string, db: number, extra: string[] = []) {
  const rejects = join(tmp, `rejects-${db}.jsonl`);
  const r = await topoIn(['run', PAGEVIEWS, '--redis', `${server.url}/${db}`, '--json', '-c', `input=${input}`, '-c', `rejects=${rejects}`, ...extra]);
  return { r, summary: lastJson<RunSummaryJson>(r), rejects };
}

const query = async <V = number>(db: number, view: string, key: string, from: string, to: string): Promise<QueryJson<V>> => {
  const r = await topoIn(['query', view, key, '--topology', PAGEVIEWS, '--from', from, '--to', to, '--json', '--redis', `${server.url}/${db}`]);
  expect(r.code, r.stderr).toBe(0);
  return lastJson<QueryJson<V>>(r);
};

describe('pageviews rejects and input formats', () => {
  it('sets bad Apache lines aside with line number and reason, counts the good ones, never crashes', async () => {
    const input = fixture('mixed.log');
    const { r, summary, rejects } = await run(input, 1);
    expect(r.code, r.stderr).toBe(0);
    expect(summary.status).toBe('completed');
    for (const b of ['parse', 'visitors', 'views']) expect(summary.bolts[b]!.errors, b).toBe(0);
    // 13 lines, one blank (skipped, not a record): 12 emitted.
    expect(summary.spouts['lines']).toMatchObject({ emitted: 12, acked: 12, failed: 0 });

    const text = readFileSync(input, 'utf8');
    const lines = text.split('\n');
    const got = readRejects(rejects);
    // garbage, cut before the status, 32 May, a JSON line, CONNECT host:443, status 'abc'
    expect(got.map((x) => x.lineNumber)).toEqual([2, 3, 4, 5, 9, 10]);
    expect(refEvents(text).rejected).toEqual([2, 3, 4, 5, 9, 10]); // the reference agrees
    for (const x of got) {
      expect(x.line).toBe(lines[x.lineNumber - 1]);
      expect(typeof x.reason).toBe('string');
      expect(x.reason.length).toBeGreaterThan(5);
      expect(x.source).toBe('mixed.log');
    }
    expect(got.find((x) => x.lineNumber === 4)!.reason).toMatch(/time/);
    expect(got.find((x) => x.lineNumber === 3)!.reason).toMatch(/status/);
    expect(r.stderr).toMatch(/6 line\(s\) did not parse; see .*rejects-1\.jsonl/);

    // Good lines: 1, 6 (/b/?utm_source=x is /b), 8 (cut user agent; 11:10 +0200 is 09:10Z),
    // 11 and its exact duplicate 12 (counted once), 13 (Common Log Format, HTTP/0.9 request).
    const a = await query(1, 'pageviews', 'http://semicomplete.com/a', '2015-05-17T09:00Z', '2015-05-17T10:59Z');
    expect(a.buckets.map((b) => b.value)).toEqual([1, 2]);
    const b = await query(1, 'pageviews', 'http://semicomplete.com/b/', '2015-05-17T10:00Z', '2015-05-17T10:59Z');
    expect(b.value).toBe(2);
    const t = truthOf(refEvents(text).events);
    expect(t.events).toBe(5);
    expect([...t.pageviews.get('http://semicomplete.com/a')!.values()].sort()).toEqual([1, 2]);
    // alice's visit (user wins over IP) is one pageview at 09:10: a bounce in hour 09.
    const bounces = await query<{ visits: number; bounces: number }>(1, 'bounces', 'semicomplete.com', '2015-05-17T09:00Z', '2015-05-17T10:59Z');
    expect(bounces.buckets.map((x) => [x.value.visits, x.value.bounces])).toEqual([
      [t.bounces.get('semicomplete.com')!.get(Date.UTC(2015, 4, 17, 9))!.visits, 1],
      [3, 2], // 10.0.0.1 (/a, /b within 30 min), 10.0.0.8 (once), 10.0.0.9 (once)
    ]);
  });

  it('reads JSON Lines: ts as ISO (Z, offset, none) or epoch ms, user over visitor, bad lines rejected', async () => {
    const input = fixture('events.jsonl');
    const { r, summary, rejects } = await run(input, 2, ['-c', 'format=jsonl']);
    expect(r.code, r.stderr).toBe(0);
    expect(summary.status).toBe('completed');
    const got = readRejects(rejects);
    expect(got.map((x) => x.lineNumber)).toEqual([7, 8, 9]);
    expect(got.map((x) => x.reason)).toEqual([expect.stringMatching(/ts/), expect.stringMatching(/visitor/), expect.stringMatching(/JSON/)]);

    // Lines 1 and 2 are one event (same visitor, URL once normalised, 10:00:00Z as ISO and as ms).
    const pv = await query(2, 'pageviews', 'http://shop.example/p?b=2&a=1', '2015-05-17T10:00Z', '2015-05-17T11:59Z');
    expect(pv.key).toBe('http://shop.example/p?a=1&b=2');
    expect(pv.buckets.map((b) => b.value)).toEqual([4, 0]);
    // bob twice (two client addresses, one user), 1.1.1.1, 4.4.4.4.
    const uq = await query(2, 'uniques', 'http://shop.example/p?a=1&b=2', '2015-05-17T10:00Z', '2015-05-17T10:59Z');
    expect(uq.value).toBe(3);
    const q = await query(2, 'pageviews', 'http://shop.example/q', '2015-05-17T11:00Z', '2015-05-17T11:59Z');
    expect(q.value).toBe(1);
    // Visits: 1.1.1.1 bounce at 10:00; bob 10:10-10:20; 4.4.4.4 10:10 and (80 min later) 11:30.
    const bo = await query<{ visits: number; bounces: number }>(2, 'bounces', 'shop.example', '2015-05-17T10:00Z', '2015-05-17T11:59Z');
    expect(bo.buckets.map((x) => [x.value.visits, x.value.bounces])).toEqual([[3, 2], [1, 1]]);
    expect(existsSync(join(tmp, 'rejects-1.jsonl'))).toBe(true);
  });
});
