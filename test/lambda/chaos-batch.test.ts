/**
 * Issue 12's chaos + batch sequence, cell by cell against the independent reference: the
 * pageviews topology with exactly-once views on 30,000 lines while worker threads are
 * killed, then `topo batch`, then every (URL, hour) pageviews cell answered by the serving
 * layer. Before the fix, killed threads left hidden temp parts the batch never read, the
 * batch published its watermark at the end of the data anyway, and merged answers lost ~96%
 * of the pageviews; replays of a repeated request (same visitor, URL and second on another
 * line) counted twice in exactly-once cells once the dedupe window had forgotten the first.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServingLayer } from '../../src/serving/query.js';
import { PAGEVIEW_VIEWS } from '../../topologies/pageviews/views.js';
import { assertBuilt } from '../cli/run-cli.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { Cells, lastJson, PAGEVIEWS, SHIPPED_LOG, topoIn, type RunSummaryJson } from '../pageviews-e2e/harness.js';
import { refEvents, truthOf, type Truth } from '../pageviews-e2e/reference.js';
import type { BatchJson } from './lambda.js';

const COPIES = 3;
let server: RedisServer, tmp: string, master: string, input: string, truth: Truth;
let run: RunSummaryJson, batch: BatchJson, tempAfterRun: string[];

/** The shipped log (17-20 May 2015) three times, each copy 4 days after the previous one. */
function shiftedLog(): string {
  const text = readFileSync(SHIPPED_LOG, 'utf8').trimEnd();
  const copies: string[] = [];
  for (let c = 0; c < COPIES; c++) {
    copies.push(text.replace(/\[(\d\d)\/May\/2015:/g, (_m, d: string) => `[${String(Number(d) + 4 * c).padStart(2, '0')}/May/2015:`));
  }
  return `${copies.join('\n')}\n`;
}

/** Files under the master root whose names say they are hidden temp parts. */
function tempParts(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.tmp')) out.push(join(d, e.name));
    }
  };
  walk(root);
  return out;
}

beforeAll(async () => {
  assertBuilt();
  server = await startRedis();
  tmp = mkdtempSync(join(tmpdir(), 'topo-chaos-batch-'));
  master = join(tmp, 'master');
  input = join(tmp, 'three-copies.log');
  const text = shiftedLog();
  writeFileSync(input, text);
  truth = truthOf(refEvents(text).events);
  // A small maxSpoutPending keeps trees short, so kills land mid-stream many times; two
  // workers: the spout's thread is never killed, the other hosts parse and a master sink.
  const r = await topoIn(['run', PAGEVIEWS, '--redis', server.url, '-w', '2', '--chaos', 'kill-worker=300ms', '--json',
    '--metrics-interval', '60s', '-c', 'exactlyOnce=true', '-c', 'maxSpoutPending=500', '-c', `input=${input}`,
    '-c', `master=${master}`, '-c', `rejects=${join(tmp, 'rejects.jsonl')}`], { timeoutMs: 240_000 });
  expect(r.code, r.stderr.slice(-3000)).toBe(0);
  run = lastJson<RunSummaryJson>(r);
  tempAfterRun = tempParts(master);
  const b = await topoIn(['batch', PAGEVIEWS, '--master', master, '--redis', server.url, '--threads', '2', '--json', '-q'], { timeoutMs: 120_000 });
  expect(b.code, b.stderr.slice(-3000)).toBe(0);
  batch = lastJson<BatchJson>(b);
}, 420_000);

afterAll(async () => {
  await server?.dispose();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('chaos kills during an exactly-once run, then a batch: nothing acked is hidden, lost or doubled', () => {
  it('completes every line despite the kills', () => {
    expect(run.status).toBe('completed');
    expect((run as RunSummaryJson & { chaosKills: number }).chaosKills).toBeGreaterThanOrEqual(3);
    expect(run.spouts['lines']!.acked).toBe(10_000 * COPIES);
  });

  it('leaves no hidden temp part behind: a dead thread\'s parts are adopted and rolled', () => {
    expect(tempAfterRun).toEqual([]);
  });

  it('the batch reads every fact the run acked', () => {
    // Replays may store a fact twice (same content): the batch removes them as duplicates.
    expect(batch.records).toBeGreaterThanOrEqual(truth.events);
    expect(batch.records - batch.duplicates).toBe(truth.events);
  });

  it('every merged pageviews cell (batch up to the watermark, realtime after) equals the reference', async () => {
    const redis = new Redis(server.url);
    try {
      const serving = new ServingLayer(redis, 'pageviews');
      const view = PAGEVIEW_VIEWS.find((v) => v.name === 'pageviews')!;
      const wrong: string[] = [];
      for (const [url, byHour] of truth.pageviews) {
        const served = await serving.query(view, url, truth.hours);
        served.buckets.forEach((b, i) => {
          const want = byHour.get(truth.hours[i]!) ?? 0;
          if (b.value !== want) wrong.push(`${url} ${new Date(b.bucket).toISOString()} (${b.source}): ${String(b.value)} != ${want}`);
        });
      }
      expect(wrong.slice(0, 20), `${wrong.length} cells differ`).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });

  it('every realtime pageviews cell after the run equals the reference too (exactly-once under replay)', async () => {
    // The run wrote every hour; the batch expires realtime buckets only below its watermark
    // from its second publish on, so after one publish the realtime cells are all still there.
    const cells = new Cells(server.url);
    try {
      const pairs: [string, number][] = [];
      for (const url of truth.pageviews.keys()) for (const h of truth.hours) pairs.push([url, h]);
      const got = await cells.counts('pageviews', pairs);
      const wrong = pairs.map(([u, h], i) => ({ u, h, got: got[i]!, want: truth.pageviews.get(u)!.get(h) ?? 0 }))
        .filter((c) => c.got !== c.want).map((c) => `${c.u} ${new Date(c.h).toISOString()}: ${c.got} != ${c.want}`);
      expect(wrong.slice(0, 20), `${wrong.length} cells differ`).toEqual([]);
    } finally {
      cells.close();
    }
  });
});
