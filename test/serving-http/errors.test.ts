/**
 * `topo serve` refuses bad input with 400 and the reason, answers 404/405 for what it does
 * not serve, 503 while Redis is down (and 200 again once it is back), and listens on
 * loopback only unless told otherwise.
 */
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { topo } from '../cli/run-cli.js';
import { get, serveOnFreshRedis, startServe } from './harness.js';

const ctx = serveOnFreshRedis();

/** Resolves true when a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.setTimeout(2000, () => (s.destroy(), resolve(false)));
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

describe('topo serve: bad input, errors, binding', () => {
  it('answers bad input with 400 and the reason', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/api/query?view=nope&key=x', /unknown view 'nope' \(topologies\/pageviews\.ts defines: pageviews, uniques, bounces\)/],
      ['/api/query?view=pageviews', /missing parameter 'key'/],
      ['/api/query?key=http://semicomplete.com/', /missing parameter 'view'/],
      ['/api/top', /missing parameter 'view'/],
      ['/api/keys?view=', /missing parameter 'view'/],
      ['/api/query?view=pageviews&key=/', /'\/' is not a valid key for view 'pageviews'/],
      ['/api/query?view=pageviews&key=http://x/&from=yesterday', /from: 'yesterday' is not an ISO date-time/],
      ['/api/query?view=pageviews&key=http://x/&to=2015-02-30', /to: '2015-02-30' is not a valid date-time/],
      ['/api/query?view=pageviews&key=http://x/&from=2015-05-18&to=2015-05-17', /from \(2015-05-18T00:00:00.000Z\) is after to/],
      ['/api/query?view=pageviews&key=http://x/&from=2016-01-01&to=2017-01-01T00:00Z', /the range spans 8785 buckets of 1 h \(366 days 1 h\); at most 8784 per query \(366 days of view 'pageviews'\)/],
      ['/api/top?view=pageviews&from=2014-01-01&to=2015-05-01', /the range spans \d+ buckets/],
      ['/api/top?view=pageviews&n=0', /n must be a positive integer, got '0'/],
      ['/api/top?view=pageviews&n=2.5', /n must be a positive integer, got '2.5'/],
      ['/api/top?view=pageviews&n=ten', /n must be a positive integer, got 'ten'/],
      ['/api/keys?view=pageviews&from=2015-05-17', /unknown parameter 'from' \(\/api\/keys takes view\)/],
      ['/api/query?view=pageviews&view=uniques&key=http://x/', /parameter 'view' given twice/],
    ];
    for (const [path, reason] of cases) {
      const r = await get(`${ctx.serve.url}${path}`);
      expect(r.status, path).toBe(400);
      expect((r.body as { error: string }).error, path).toMatch(reason);
    }
    // Exactly a leap year of hours is allowed (and empty here).
    const ok = await get(`${ctx.serve.url}/api/query?view=pageviews&key=http://x/&from=2016-01-01&to=2016-12-31T23:59Z`);
    expect(ok.status).toBe(200);
    expect((ok.body as { buckets: unknown[] }).buckets).toHaveLength(8784);
  });

  it('answers 404 for an unknown path and 405 for another method', async () => {
    for (const path of ['/', '/api', '/api/query/', '/api/nope', '//api/views']) {
      const r = await get(`${ctx.serve.url}${path}`);
      expect(r.status, path).toBe(404);
      expect((r.body as { error: string }).error).toMatch(/no such endpoint/);
    }
    const post = await get(`${ctx.serve.url}/api/views`, 'POST');
    expect(post.status).toBe(405);
    expect(post.body).toEqual({ error: 'method POST not allowed (GET only)' });
  });

  it('answers 503 while Redis is down, says so once on stderr, and 200 again when it is back', async () => {
    await ctx.redis.stop();
    const down = await get(`${ctx.serve.url}/api/keys?view=pageviews`);
    expect(down.status).toBe(503);
    expect((down.body as { error: string }).error).toMatch(/view store unavailable/);
    expect((await get(`${ctx.serve.url}/api/views`)).status).toBe(503);
    await ctx.redis.restart();
    const until = Date.now() + 10_000;
    let r = await get(`${ctx.serve.url}/api/keys?view=pageviews`);
    while (r.status !== 200 && Date.now() < until) {
      await new Promise((res) => setTimeout(res, 100));
      r = await get(`${ctx.serve.url}/api/keys?view=pageviews`);
    }
    expect(r).toMatchObject({ status: 200, body: { view: 'pageviews', keys: [] } });
    expect(ctx.serve.out.stderr.match(/lost the Redis connection/g)).toHaveLength(1);
    expect(ctx.serve.out.stderr).toMatch(/Redis connection is back/);
  });

  it('listens on 127.0.0.1 only by default; --host 0.0.0.0 warns that there is no authentication', async () => {
    expect(ctx.serve.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await accepts('127.0.0.1', ctx.serve.port)).toBe(true);
    // Another loopback address, and every non-loopback address of this machine, is refused.
    const others = ['127.0.0.2', ...Object.values(networkInterfaces()).flat().filter((a) => a && a.family === 'IPv4' && !a.internal).map((a) => a!.address)];
    for (const host of others) expect(await accepts(host, ctx.serve.port), host).toBe(false);
    expect(ctx.serve.out.stderr).not.toMatch(/warning/);

    const open = await startServe(['--redis', ctx.redis.url, '--host', '0.0.0.0']);
    try {
      expect(open.out.stderr).toMatch(/warning: bound to 0\.0\.0\.0, not loopback: the API has no authentication/);
      expect(await accepts('127.0.0.2', open.port)).toBe(true);
    } finally {
      expect((await open.stop('SIGINT')).code).toBe(0);
    }
  });

  it('exits 2 on a bad flag and 1 when the port is taken', async () => {
    expect((await topo(['serve', '--port', 'http'])).code).toBe(2);
    expect((await topo(['serve', '--port', '70000'])).code).toBe(2);
    const taken = await topo(['serve', '--port', String(ctx.serve.port), '--redis', ctx.redis.url]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
  });
});
