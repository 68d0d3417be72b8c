/**
 * What a user sees when Redis is unreachable at start, and when a query is malformed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt } from '../cli/run-cli.js';
import { freePort, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { PAGEVIEWS, topoIn } from './harness.js';

let server: RedisServer;
beforeAll(async () => {
  assertBuilt();
  server = await startRedis();
});
afterAll(async () => {
  await server?.dispose();
});

describe('Redis unreachable at start', () => {
  it('exits 1 within a few seconds naming the URL with its password masked', async () => {
    const port = await freePort(); // nothing listens there
    const url = `redis://:secret@127.0.0.1:${port}`;
    const r = await topoIn(['run', PAGEVIEWS, '--redis', url, '--redis-timeout', '1s', '--json'], { timeoutMs: 20_000 });
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(6_000);
    expect(r.stderr).toContain(`redis://:***@127.0.0.1:${port}`);
    expect(r.stderr).toMatch(/ECONNREFUSED|connect/i);
    expect(`${r.stdout}\n${r.stderr}`).not.toContain('secret');
  });
});

describe('bad query input exits 2', () => {
  const q = (...args: string[]) => topoIn(['query', ...args, '--topology', PAGEVIEWS, '--redis', server.url, '--json']);

  it('an unknown view, listing the known ones', async () => {
    const r = await q('pageview', 'http://semicomplete.com/');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown view 'pageview'/);
    expect(r.stderr).toMatch(/pageviews, uniques, bounces/);
    const t = await topoIn(['top', 'nope', '--topology', PAGEVIEWS, '--redis', server.url]);
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/pageviews, uniques, bounces/);
  });

  it('a malformed --from', async () => {
    for (const from of ['yesterday', '2015-02-30T10:00Z']) {
      const r = await q('pageviews', 'http://semicomplete.com/', '--from', from, '--to', '2015-05-18');
      expect(r.code, from).toBe(2);
      expect(r.stderr, from).toMatch(/--from/);
      expect(r.stdout).toBe('');
    }
  });

  it('a range over 8,784 hourly buckets (one leap year), and not at 8,784', async () => {
    const over = await q('pageviews', 'http://semicomplete.com/', '--from', '2015-01-01T00:00Z', '--to', '2016-01-06T00:30Z');
    expect(over.code).toBe(2);
    expect(over.stderr).toMatch(/8881 buckets.*at most 8784/);
    const at = await q('pageviews', 'http://semicomplete.com/', '--from', '2016-01-01T00:00Z', '--to', '2016-12-31T23:59Z');
    expect(at.code, at.stderr).toBe(0);
    const past = await q('pageviews', 'http://semicomplete.com/', '--from', '2016-01-01T00:00Z', '--to', '2017-01-01T00:00Z');
    expect(past.code).toBe(2);
    expect(past.stderr).toMatch(/8785 buckets/);
  });

  it('is reported before any Redis connection: a bad --from with Redis down exits 2 at once', async () => {
    const port = await freePort();
    const r = await topoIn(['query', 'pageviews', 'http://semicomplete.com/', '--topology', PAGEVIEWS, '--from', 'soon',
      '--redis', `redis://127.0.0.1:${port}`, '--redis-timeout', '3s']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--from/);
    expect(r.ms).toBeLessThan(2_500);
  });
});
