import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectViews } from '../../src/speed/connect.js';
import { RedisViewStore } from '../../src/speed/redis-store.js';
import { maskUrl, redisOptionsFromUrl } from '../../src/speed/redis-url.js';
import { freePort, ping, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { ALL, H0, views } from './store-cases.js';

let secured: RedisServer;
beforeAll(async () => {
  secured = await startRedis({ args: ['--requirepass', 'pa:ss/word'] });
});
afterAll(async () => {
  await secured?.dispose();
});

describe('Redis URLs', () => {
  it('parses user, password (percent-decoded), database and TLS, and masks the password', () => {
    expect(redisOptionsFromUrl('rediss://me:p%40ss@cache.example:6380/3')).toMatchObject({
      host: 'cache.example', port: 6380, username: 'me', password: 'p@ss', db: 3, tls: { servername: 'cache.example' },
    });
    expect(redisOptionsFromUrl('redis://localhost')).toEqual({ host: 'localhost', port: 6379 });
    expect(maskUrl('redis://me:secret@h:1/0')).toBe('redis://me:***@h:1/0');
    expect(maskUrl('redis://h:1')).toBe('redis://h:1');
    expect(() => redisOptionsFromUrl('http://h')).toThrow(/scheme must be redis/);
    expect(() => redisOptionsFromUrl('redis://u:secret@h/x')).toThrow(/redis:\/\/u:\*\*\*@h\/x/);
  });
});

describe('connectViews', () => {
  it('gives up on an unreachable URL after the timeout, naming the URL without its password', async () => {
    const port = await freePort();
    const t0 = Date.now();
    const err = await connectViews({ url: `redis://app:s3cret@127.0.0.1:${port}`, redisTimeoutMs: 800 }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
    expect((err as Error).message).toMatch(new RegExp(`cannot reach Redis at redis://app:\\*\\*\\*@127\\.0\\.0\\.1:${port}.*ECONNREFUSED`));
    expect((err as Error).message).not.toContain('s3cret');
  });

  it('connects with a password from the URL, and reports a wrong one masked', async () => {
    const good = `redis://default:${encodeURIComponent('pa:ss/word')}@127.0.0.1:${secured.port}`;
    const c = await connectViews({ url: good, redisTimeoutMs: 2000 });
    expect(c.mode).toBe('url');
    expect(c.config).toEqual({ redis: good });
    expect(c.display).not.toContain('word');
    const err = await connectViews({ url: `redis://default:nope-nope@127.0.0.1:${secured.port}`, redisTimeoutMs: 300 }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/authentication failed for redis:\/\/default:\*\*\*@.*wrong password/);
    expect((err as Error).message).not.toContain('nope-nope');
  });

  it('reads REDIS_URL when no URL is given', async () => {
    const url = `redis://:${encodeURIComponent('pa:ss/word')}@127.0.0.1:${secured.port}`;
    const c = await connectViews({ env: { REDIS_URL: url }, redisTimeoutMs: 2000 });
    expect(c.url).toBe(url);
  });

  it('falls back to the in-process store with a warning when redis-server is not installed', async () => {
    const c = await connectViews({ env: {}, redisServerBin: '/nonexistent/redis-server' });
    expect(c.mode).toBe('memory');
    expect(c.config).toEqual({ viewStore: 'memory' });
    expect(c.warning).toMatch(/in memory for this run only/);
  });

  it('starts a private redis-server in ./.topo/redis, reuses a running one, and keeps data across restarts', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'topo-private-'));
    const file = join(cwd, '.topo', 'redis', 'server.json');
    let keptPid = 0;
    try {
      const first = await connectViews({ env: {}, cwd });
      expect(first.mode).toBe('private');
      const { port } = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; port: number };
      expect(first.url).toBe(`redis://127.0.0.1:${port}`);
      const store = RedisViewStore.open(first.url!, { namespace: 'p' });
      await store.apply([{ view: 'hits', key: '/kept', bucket: H0, n: 7 }], ALL);
      await store.close();
      await first.release();
      expect(await ping(port)).toBe(false);
      expect(existsSync(file)).toBe(false);

      const second = await connectViews({ env: {}, cwd, keep: true });
      keptPid = (JSON.parse(readFileSync(file, 'utf8')) as { pid: number }).pid;
      const third = await connectViews({ env: {}, cwd });
      expect(third.url).toBe(second.url);
      expect(third.display).toMatch(/reused/);
      await third.release(); // not its server: stays up
      await second.release(); // keep: stays up
      const again = RedisViewStore.open(second.url!, { namespace: 'p' });
      expect((await again.values(views.hits, '/kept', [H0])).total).toBe(7);
      await again.close();
    } finally {
      if (keptPid > 0) {
        try {
          process.kill(keptPid, 'SIGTERM');
        } catch {
          /* gone */
        }
        for (let i = 0; i < 100; i++) {
          try {
            process.kill(keptPid, 0);
            await new Promise((r) => setTimeout(r, 25));
          } catch {
            break;
          }
        }
      }
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
