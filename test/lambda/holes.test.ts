/**
 * Holes (issue 15 item 2): a bucket that no batch version covers and that the speed layer
 * does not hold is answered as missing, never as 0, by `topo query` (text and --json),
 * `topo serve`'s /api/query and the dashboard chart (a gap). One redis-server, one master
 * dataset, the real CLI:
 *
 *   10:00-12:59  speed layer run 1       (11:00 has no event of /a: a real 0)
 *   13:00-14:59  facts ingested only     (the speed layer was down: holes until topo batch)
 *   15:00-16:59  speed layer run 2
 *   17:00-18:59  speed layer run 3 with a TTL of seconds: expired, holes again
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, tempDir } from '../cli/run-cli.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { cleanEnv, lastJson, topoIn } from '../pageviews-e2e/harness.js';
import { get, qs, startServe, type Served } from '../serving-http/harness.js';
import { hasChromium, launch, openPage } from '../ui/browser.js';
import { lambdaFixture } from './lambda.js';

declare const window: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any

const TOPOLOGY = lambdaFixture('short-ttl-pageviews.ts');
const A = 'http://semicomplete.com/a';

interface Answer {
  value: number; complete: boolean; missing: number; watermark: string | null;
  buckets: Array<{ start: string; value: number | null; source: string }>;
}

/** Apache log lines: [ip, path, 'HH:MM'] on 2015-05-17. */
function log(file: string, hits: ReadonlyArray<readonly [string, string, string]>): string {
  const lines = hits.map(([ip, path, hm]) => `${ip} - - [17/May/2015:${hm}:00 +0000] "GET ${path} HTTP/1.1" 200 100 "-" "test"`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('holes: missing buckets, not zeros', () => {
  let redis: RedisServer;
  let dir: { dir: string; remove: () => void };
  let master: string;
  const ok = async (args: string[], env: Record<string, string> = {}): Promise<string> => {
    const r = await topoIn([...args, ...(args[0] === 'ingest' ? [] : ['--redis', redis.url])], { env: cleanEnv(env), timeoutMs: 120_000 });
    expect(r.code, `topo ${args.join(' ')}\n${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const run = (input: string, env: Record<string, string> = {}) =>
    ok(['run', TOPOLOGY, '-q', '--json', '-c', `input=${input}`, '-c', `master=${master}`, '-c', `rejects=${join(dir.dir, 'rejects.jsonl')}`], env);
  const query = async (from: string, to: string): Promise<Answer> =>
    lastJson<Answer>({ code: 0, signal: null, stdout: await ok(['query', 'pageviews', A, '-t', TOPOLOGY, '--from', from, '--to', to, '--json']), stderr: '', timedOut: false });
  const shape = (a: Answer) => a.buckets.map((b) => [b.start.slice(11, 16), b.value, b.source]);

  beforeAll(async () => {
    assertBuilt();
    redis = await startRedis();
    dir = tempDir('holes');
    master = join(dir.dir, 'master');
    await run(log(join(dir.dir, 'run1.log'), [['10.0.0.1', '/a', '10:05'], ['10.0.0.2', '/a', '10:06'], ['10.0.0.3', '/b', '11:10'],
      ['10.0.0.1', '/a', '12:20'], ['10.0.0.2', '/a', '12:21'], ['10.0.0.3', '/a', '12:22']]));
    await ok(['ingest', log(join(dir.dir, 'down.log'), [['10.0.0.4', '/a', '13:15'], ['10.0.0.5', '/a', '13:16'], ['10.0.0.6', '/a', '13:17'],
      ['10.0.0.7', '/a', '13:18'], ['10.0.0.4', '/a', '14:30']]), '--format', 'apache', '-t', TOPOLOGY, '--master', master, '--rejects', join(dir.dir, 'rejects.jsonl')]);
    await run(log(join(dir.dir, 'run2.log'), [['10.0.0.1', '/a', '15:05'], ['10.0.0.2', '/a', '15:06'], ['10.0.0.1', '/a', '16:40']]));
  }, 300_000);
  afterAll(async () => {
    await redis?.dispose();
    dir?.remove();
  });

  it('answers the hours the speed layer never saw as missing, a quiet hour it saw as 0, and counts them', async () => {
    const q = await query('2015-05-17T10:00Z', '2015-05-17T16:00Z');
    expect(shape(q)).toEqual([
      ['10:00', 2, 'realtime'], ['11:00', 0, 'realtime'], ['12:00', 3, 'realtime'],
      ['13:00', null, 'missing'], ['14:00', null, 'missing'], ['15:00', 2, 'realtime'], ['16:00', 1, 'realtime'],
    ]);
    expect(q).toMatchObject({ value: 8, complete: false, missing: 2, watermark: null });
    const text = await ok(['query', 'pageviews', A, '-t', TOPOLOGY, '--from', '2015-05-17T10:00Z', '--to', '2015-05-17T16:00Z']);
    expect(text).toContain(`pageviews ${A} 2015-05-17T10:00:00.000Z .. 2015-05-17T16:00:00.000Z: 8  (incomplete: 2 of 7 buckets missing`);
    expect(text).toContain('  2015-05-17T13:00:00.000Z  -  missing\n');
    expect(text).toContain('  2015-05-17T11:00:00.000Z  0  realtime\n');
    // The top over a range with holes says so too.
    const top = JSON.parse(await ok(['top', 'pageviews', '-t', TOPOLOGY, '--from', '2015-05-17T10:00Z', '--to', '2015-05-17T16:00Z', '--json']));
    expect(top).toMatchObject({ complete: false, missing: 2, top: [{ key: A, score: 8 }, { key: 'http://semicomplete.com/b', score: 1 }] });
  }, 120_000);

  it('serves the same answer over HTTP and draws the holes as gaps in the dashboard chart', async () => {
    const serve: Served = await startServe(['-t', TOPOLOGY, '--redis', redis.url]);
    try {
      const range = { from: '2015-05-17T10:00Z', to: '2015-05-17T16:00Z' };
      const http = await get(`${serve.url}/api/query?${qs({ view: 'pageviews', key: A, ...range })}`);
      expect(http.status).toBe(200);
      expect(http.body).toEqual(await query(range.from, range.to));
      if (!hasChromium) return;
      const browser = await launch();
      try {
        const { page, errors } = await openPage(browser);
        await page.goto(`${serve.url}/ui/analytics?${qs({ ...range, url: A, live: '0' })}`);
        await page.waitForFunction(() => window.topoDashboard.refreshes >= 1, null, { timeout: 60_000 });
        const drawn = await page.evaluate(() => ({
          pageviews: window.topoDashboard.chart.data[1], uniques: window.topoDashboard.chart.data[2],
          note: document.getElementById('hourly-note').textContent,
          sources: [...document.querySelectorAll('#hourly-table tbody tr')].map((tr: any) => tr.lastChild.textContent), // eslint-disable-line @typescript-eslint/no-explicit-any
        }));
        // null, not 0: uPlot breaks the line there (spanGaps off).
        expect(drawn.pageviews).toEqual([2, 0, 3, null, null, 2, 1]);
        expect(drawn.uniques).toEqual([2, 0, 3, null, null, 2, 1]);
        expect(drawn.sources).toEqual(['realtime', 'realtime', 'realtime', 'missing', 'missing', 'realtime', 'realtime']);
        expect(drawn.note).toMatch(/Incomplete: 2 of 7 hours missing/);
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    } finally {
      await serve.stop();
    }
  }, 180_000);

  it('answers them from the batch once topo batch covers them', async () => {
    await ok(['batch', TOPOLOGY, '--master', master, '--threads', '1', '-q', '--json']);
    const q = await query('2015-05-17T10:00Z', '2015-05-17T16:00Z');
    expect(shape(q)).toEqual([
      ['10:00', 2, 'batch'], ['11:00', 0, 'batch'], ['12:00', 3, 'batch'],
      ['13:00', 4, 'batch'], ['14:00', 1, 'batch'], ['15:00', 2, 'batch'], ['16:00', 1, 'realtime'],
    ]);
    expect(q).toMatchObject({ value: 13, complete: true, missing: 0, watermark: '2015-05-17T16:40:00.000Z' });
  }, 120_000);

  it('answers realtime buckets expired by their TTL as missing, and from the batch after topo batch', async () => {
    await run(log(join(dir.dir, 'run3.log'), [['10.0.0.1', '/a', '17:10'], ['10.0.0.2', '/a', '17:11'], ['10.0.0.1', '/a', '18:20']]), { HOLES_TTL_MS: '3000' });
    // Until the TTL passes each bucket holds its true value; never a 0.
    const early = await query('2015-05-17T17:00Z', '2015-05-17T18:00Z');
    for (const [b, want] of early.buckets.map((x, i) => [x, [2, 1][i]] as const)) expect([[want, 'realtime'], [null, 'missing']]).toContainEqual([b.value, b.source]);
    const deadline = Date.now() + 60_000;
    let q = early;
    while (q.missing < 2 && Date.now() < deadline) q = await query('2015-05-17T17:00Z', '2015-05-17T18:00Z');
    expect(shape(q)).toEqual([['17:00', null, 'missing'], ['18:00', null, 'missing']]);
    expect(q).toMatchObject({ value: 0, complete: false, missing: 2 });
    await ok(['batch', TOPOLOGY, '--master', master, '--threads', '1', '-q', '--json']);
    const after = await query('2015-05-17T16:00Z', '2015-05-17T18:00Z');
    // 16:00 is batch now; 18:00 is past the watermark (18:20: not whole) and expired: still a hole.
    expect(shape(after)).toEqual([['16:00', 1, 'batch'], ['17:00', 2, 'batch'], ['18:00', null, 'missing']]);
    expect(after).toMatchObject({ value: 3, complete: false, missing: 1, watermark: '2015-05-17T18:20:00.000Z' });
  }, 180_000);
});
