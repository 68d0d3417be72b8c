/**
 * Every endpoint of `topo serve` answers exactly what `topo query|top|keys --json` prints for
 * the same data: a batch run over a small master dataset, plus realtime buckets after its
 * watermark written with the store, so answers mix both sources.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageviewsView, uniquesView } from '../../topologies/pageviews/views.js';
import { RedisViewStore } from '../../src/speed/redis-store.js';
import type { ViewUpdate } from '../../src/views/view.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { HOST, HOUR, rec, T0, tempRoot, writeDataset } from '../batch-runner/fixture.js';
import { cliJson, closeAgent, get, qs, startServe, type Served } from './harness.js';

const iso = (t: number): string => new Date(t).toISOString();
let redis: RedisServer;
let serve: Served;

beforeAll(async () => {
  redis = await startRedis();
  // Hours 0-3 from T0 (2015-05-17T22:00Z): /a has h+1 pageviews by visitors v0..vh; the
  // last event (03:10) is the watermark, so hours 0-2 are batch and 3 on realtime.
  const recs = [];
  for (let h = 0; h < 4; h++) for (let i = 0; i <= h; i++) recs.push(rec(`10.1.0.${i}`, '/a', T0 + h * HOUR + i * 60_000));
  recs.push(rec('10.1.0.9', '/b', T0 + 3 * HOUR + 10 * 60_000));
  const root = tempRoot();
  writeDataset(root, recs, 3);
  await cliJson(['batch', 'topologies/pageviews.ts', '--master', root, '--redis', redis.url, '--threads', '1', '-q']);
  const store = RedisViewStore.open(redis.url, { namespace: 'pageviews' });
  const ups: ViewUpdate[] = [];
  for (const [h, n] of [[3, 4], [4, 7]] as const) {
    ups.push({ view: 'pageviews', key: `http://${HOST}/a`, bucket: T0 + h * HOUR, n });
    ups.push({ view: 'pageviews', key: `http://${HOST}/c`, bucket: T0 + h * HOUR, n: n * 10 });
    for (let i = 0; i < n; i++) ups.push({ view: 'uniques', key: `http://${HOST}/a`, bucket: T0 + h * HOUR, member: `10.1.0.${i + 3}` });
  }
  await store.apply(ups, [pageviewsView, uniquesView]);
  await store.close();
  serve = await startServe(['--redis', redis.url, '--verbose']);
});
afterAll(async () => {
  closeAgent();
  await serve?.stop();
  await redis?.dispose();
});

const redisArgs = (): string[] => ['--redis', redis.url];

describe('topo serve answers as the CLI does', () => {
  it('GET /api/query equals topo query --json (batch, realtime, across the watermark, default range)', async () => {
    const cases: Array<{ view: string; key: string; from?: string; to?: string }> = [
      { view: 'pageviews', key: `http://${HOST}/a`, from: iso(T0), to: iso(T0 + 4 * HOUR) },
      { view: 'pageviews', key: `HTTP://${HOST.toUpperCase()}/a?utm_source=x`, from: '2015-05-18T01:30+02:00', to: '2015-05-18T02:59:59Z' },
      { view: 'pageviews', key: `http://${HOST}/c` },
      { view: 'pageviews', key: `http://${HOST}/never`, from: '2015-05-17', to: '2015-05-18' },
      { view: 'uniques', key: `http://${HOST}/a`, from: iso(T0), to: iso(T0 + 4 * HOUR) },
      { view: 'bounces', key: HOST, from: iso(T0 - HOUR), to: iso(T0 + 2 * HOUR) },
    ];
    for (const c of cases) {
      const r = await get(`${serve.url}/api/query?${qs(c)}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const args = ['query', c.view, c.key, ...(c.from ? ['--from', c.from] : []), ...(c.to ? ['--to', c.to] : []), ...redisArgs()];
      expect(r.body).toEqual(await cliJson(args));
    }
    const mixed = (await get(`${serve.url}/api/query?${qs(cases[0]!)}`)).body as { value: number; buckets: Array<{ value: number; source: string }> };
    expect(mixed.buckets.map((b) => [b.value, b.source])).toEqual([[1, 'batch'], [2, 'batch'], [3, 'batch'], [4, 'realtime'], [7, 'realtime']]);
    expect(mixed.value).toBe(17);
  });

  it('GET /api/top and /api/keys equal topo top --json and topo keys --json', async () => {
    for (const c of [{ view: 'pageviews' }, { view: 'pageviews', n: 1 }, { view: 'pageviews', from: iso(T0), to: iso(T0 + 2 * HOUR), n: 5 }, { view: 'bounces' }]) {
      const r = await get(`${serve.url}/api/top?${qs(c)}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const args = ['top', c.view, ...(c.from ? ['--from', c.from, '--to', c.to!] : []), ...(c.n ? ['-n', String(c.n)] : []), ...redisArgs()];
      expect(r.body).toEqual(await cliJson(args));
    }
    for (const view of ['pageviews', 'uniques', 'bounces']) {
      const r = await get(`${serve.url}/api/keys?view=${view}`);
      expect(r.status).toBe(200);
      expect(r.body).toEqual(await cliJson(['keys', view, ...redisArgs()]));
    }
    // /b has one pageview, in hour 3: after the batch's whole buckets, and not in realtime.
    expect((await get(`${serve.url}/api/keys?view=pageviews`)).body).toEqual({ view: 'pageviews', keys: [`http://${HOST}/c`, `http://${HOST}/a`] });
  });

  it('GET /api/views lists the views with their aggregation, bucket and watermark; HEAD has no body', async () => {
    const r = await get(`${serve.url}/api/views`);
    expect(r.status).toBe(200);
    const watermark = iso(T0 + 3 * HOUR + 10 * 60_000);
    expect(r.body).toEqual({
      namespace: 'pageviews',
      views: [
        { name: 'pageviews', version: 1, aggregation: { kind: 'count' }, bucketMs: HOUR, watermark },
        { name: 'uniques', version: 1, aggregation: { kind: 'distinct', field: 'visitor' }, bucketMs: HOUR, watermark },
        { name: 'bounces', version: 1, aggregation: { kind: 'counters', fields: ['visits', 'bounces'] }, bucketMs: HOUR, watermark: expect.any(String) },
      ],
    });
    expect(await get(`${serve.url}/api/views`, 'HEAD')).toMatchObject({ status: 200, body: null });
  });

  it('logs one line per request with --verbose and stops cleanly on SIGTERM', async () => {
    await get(`${serve.url}/api/keys?view=uniques`);
    expect(serve.out.stderr).toMatch(/GET \/api\/keys\?view=uniques 200 \d+\.\dms/);
    const before = await get(`${serve.url}/api/views`);
    expect(before.status).toBe(200);
    // The client's idle keep-alive connection must not hold the shutdown.
    const t0 = Date.now();
    const r = await serve.stop('SIGTERM');
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/SIGTERM: stopping[\s\S]*stopped/);
  });
});
