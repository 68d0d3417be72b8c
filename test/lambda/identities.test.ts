/**
 * Identity merging in the pageviews application, through the commands a user types, against
 * a real redis-server: equiv edges go in by `topo ingest --format equiv`; the speed layer
 * counts raw identifiers and `topo batch` counts persons (the connected components of every
 * edge, recomputed each run). The book's sequence (Big Data, SuperWebAnalytics): "IP
 * 11.11.11.111 visits foo.com/about at 1:30 pm; user sally visits foo.com/about at 1:40 pm; an
 * equiv edge between 11.11.11.111 and sally is discovered at 2:00 pm."
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { lastJson, topoIn } from '../pageviews-e2e/harness.js';
import { Lambda, PAGEVIEWS } from './lambda.js';

const ABOUT = 'http://foo.com/about';
const ONE_PM = '2015-05-20T13:00Z';

let server: RedisServer;
let dir: string;
let db = 0;
beforeAll(async () => {
  server = await startRedis();
  dir = mkdtempSync(join(tmpdir(), 'topo-identities-'));
});
afterAll(async () => {
  await server?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function lambda(tag: string): Lambda {
  const d = join(dir, tag);
  mkdirSync(d, { recursive: true });
  return new Lambda(`${server.url}/${++db}`, join(d, 'master'), d);
}

function jsonl(l: Lambda, name: string, lines: readonly object[]): string {
  const path = join(l.dir, name);
  writeFileSync(path, lines.map((x) => `${JSON.stringify(x)}\n`).join(''));
  return path;
}

async function ingest(l: Lambda, file: string, format: string): Promise<{ records: number; rejected: number; dataset: string }> {
  const r = await topoIn(['ingest', file, '--format', format, '--master', l.master, '--rejects', join(l.dir, 'ingest-rejects.jsonl'), '--json', '-q']);
  expect(r.code, r.stderr).toBe(0);
  return lastJson(r);
}

/** One hour's value and where it came from. */
async function hour<V = number>(l: Lambda, view: string, key: string, from = ONE_PM): Promise<[V, string]> {
  const q = await l.query<V>(view, key, from, from);
  return [q.buckets[0]!.value, q.buckets[0]!.source];
}

describe('identity merging', () => {
  it("the book's sequence: realtime uniques 2 in the 1 pm hour, 1 after topo batch, also when the edge arrives after a batch", async () => {
    const l = lambda('book');
    const views = jsonl(l, 'views.jsonl', [
      { url: ABOUT, visitor: '11.11.11.111', ts: '2015-05-20T13:30:00Z' },
      { url: ABOUT, visitor: '22.22.22.222', user: 'sally', ts: '2015-05-20T13:40:00Z' },
      // Another site, later: the batch watermark passes the 1 pm hour (and, for bounces, its visits).
      { url: 'http://bar.com/', visitor: '33.33.33.33', ts: '2015-05-20T15:00:00Z' },
    ]);
    await l.run(views);
    expect(await hour(l, 'uniques', ABOUT)).toEqual([2, 'realtime']);
    expect(await hour(l, 'bounces', 'foo.com')).toEqual([{ rate: 1, visits: 2, bounces: 2 }, 'realtime']);

    // No edge yet: the batch agrees with the speed layer.
    const before = await l.batch();
    expect(before).toMatchObject({ records: 3, events: 3, sideInputs: [{ name: 'identities', dataset: 'equiv', files: 0, records: 0, badLines: 0 }] });
    expect(await hour(l, 'uniques', ABOUT)).toEqual([2, 'batch']);

    // The edge is discovered at 2 pm, after both pageviews and after that batch run.
    expect(await ingest(l, jsonl(l, 'edges.jsonl', [{ a: '11.11.11.111', b: 'sally', ts: '2015-05-20T14:00:00Z' }]), 'equiv'))
      .toMatchObject({ dataset: 'equiv', records: 1, rejected: 0 });
    const after = await l.batch();
    expect(after).toMatchObject({ records: 3, events: 3, duplicates: 0, sideInputs: [{ name: 'identities', records: 1 }] });
    expect(await hour(l, 'uniques', ABOUT)).toEqual([1, 'batch']);
    // One person: one visit of two pageviews, not two bounces; and still two pageviews.
    expect(await hour(l, 'bounces', 'foo.com')).toEqual([{ rate: 0, visits: 1, bounces: 0 }, 'batch']);
    expect(await hour(l, 'pageviews', ABOUT)).toEqual([2, 'batch']);
  }, 240_000);

  it('a chain of edges a~b, b~c merges three identifiers; pageviews and other visitors are unchanged', async () => {
    const l = lambda('chain');
    const url = 'http://foo.com/pricing';
    const at = (m: number): string => `2015-05-20T13:${String(m).padStart(2, '0')}:00Z`;
    await ingest(l, jsonl(l, 'views.jsonl', [
      { url, visitor: 'a', ts: at(1) }, { url, visitor: 'b', ts: at(2) }, { url, visitor: 'c', ts: at(3) }, { url, visitor: 'd', ts: at(4) },
      // The same request logged twice by b: one pageview, merged or not.
      { url, visitor: 'b', ts: at(2) },
      { url: 'http://bar.com/', visitor: 'e', ts: '2015-05-20T15:00:00Z' },
    ]), 'jsonl');
    // The edges in two files, the chain's far end first.
    await ingest(l, jsonl(l, 'edges-1.jsonl', [{ a: 'c', b: 'b', ts: '2015-05-20T16:00:00Z' }]), 'equiv');
    await ingest(l, jsonl(l, 'edges-2.jsonl', [{ a: 'b', b: 'a', ts: '2015-05-21T09:00:00Z' }]), 'equiv');
    const b = await l.batch();
    expect(b).toMatchObject({ records: 6, events: 5, duplicates: 1, sideInputs: [{ name: 'identities', files: 2, records: 2 }] });
    expect(await hour(l, 'uniques', url)).toEqual([2, 'batch']); // {a, b, c} and d
    expect(await hour(l, 'pageviews', url)).toEqual([4, 'batch']);
    expect(await hour(l, 'bounces', 'foo.com')).toEqual([{ rate: 0.5, visits: 2, bounces: 1 }, 'batch']);
  }, 240_000);

  it('bad edges are rejects with their reason; one written straight into the dataset is a bad line of the batch', async () => {
    const l = lambda('bad');
    const edges = join(l.dir, 'edges.jsonl');
    writeFileSync(edges, [
      '{"a":"11.11.11.111","b":"sally","ts":"2015-05-20T14:00:00Z"}',
      '{"a":"11.11.11.111","ts":"2015-05-20T14:00:00Z"}',
      '{"a":"sally","b":"sally","ts":"2015-05-20T14:00:00Z"}',
      '{"b":"sally","a":"","ts":"2015-05-20T14:00:00Z"}',
      '',
    ].join('\n'));
    expect(await ingest(l, edges, 'equiv')).toMatchObject({ records: 1, rejected: 3 });
    const rejects = readFileSync(join(l.dir, 'ingest-rejects.jsonl'), 'utf8').trim().split('\n').map((x) => JSON.parse(x) as { lineNumber: number; reason: string });
    expect(rejects.map((r) => [r.lineNumber, r.reason])).toEqual([
      [2, "missing 'b': an equiv edge joins two visitor identifiers"],
      [3, `'a' and 'b' are the same identifier ("sally"): an edge to itself merges nothing`],
      [4, "missing 'a': an equiv edge joins two visitor identifiers"],
    ]);

    await ingest(l, jsonl(l, 'views.jsonl', [
      { url: ABOUT, visitor: '11.11.11.111', ts: '2015-05-20T13:30:00Z' },
      { url: ABOUT, visitor: '22.22.22.222', user: 'sally', ts: '2015-05-20T13:40:00Z' },
      { url: 'http://bar.com/', visitor: '33.33.33.33', ts: '2015-05-20T15:00:00Z' },
    ]), 'jsonl');
    // A self-edge that never went through ingest: the batch names it and reads the rest.
    const part = join(l.master, 'equiv', 'date=2015-05-21', 'part-by-hand.jsonl');
    mkdirSync(join(l.master, 'equiv', 'date=2015-05-21'), { recursive: true });
    writeFileSync(part, '{"id":"hand:1","a":"22.22.22.222","b":"22.22.22.222","ts":1432170000000}\n');
    const b = await l.batch();
    expect(b).toMatchObject({ badLines: 1, bad: [`${part}:1: 'a' and 'b' are the same identifier ("22.22.22.222"): an edge to itself merges nothing`],
      sideInputs: [{ name: 'identities', files: 2, records: 1, badLines: 1 }] });
    expect(await hour(l, 'uniques', ABOUT)).toEqual([1, 'batch']);
    // --strict: that bad line fails the run, nothing is published.
    const strict = await topoIn(['batch', PAGEVIEWS, '--master', l.master, '--redis', l.redisUrl, '--strict', '-q'], { timeoutMs: 90_000 });
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain(`${part}:1:`);
  }, 240_000);
});
