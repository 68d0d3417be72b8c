import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { connectViews } from '../../src/speed/connect.js';
import { isAlive, startPrivateRedis, stopPrivateRedis } from '../../src/speed/private-redis.js';
import { RedisViewStore } from '../../src/speed/redis-store.js';
import { maskUrl, redisOptionsFromUrl } from '../../src/speed/redis-url.js';
import { freePort, ping, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { ALL, H0, views } from './store-cases.js';

let secured: RedisServer;

async function until(cond: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
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

  it('starts a private redis-server in ./.topo/redis that stays up for later commands, keeps its data across a stop, and restarts after a crash', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'topo-private-'));
    const file = join(cwd, '.topo', 'redis', 'server.json');
    const server = (): { pid: number; port: number; keeper: number } => JSON.parse(readFileSync(file, 'utf8'));
    try {
      const first = await connectViews({ env: {}, cwd });
      expect(first.mode).toBe('private');
      const { port, pid, keeper } = server();
      expect(first.url).toBe(`redis://127.0.0.1:${port}`);
      const store = RedisViewStore.open(first.url!, { namespace: 'p' });
      await store.apply([{ view: 'hits', key: '/kept', bucket: H0, n: 7 }], ALL);
      await store.close();
      await first.release();
      // Still up: the next command connects to the same server, no restart and no AOF replay.
      expect(await ping(port)).toBe(true);
      const second = await connectViews({ env: {}, cwd });
      expect(second.url).toBe(first.url);
      expect(second.display).toMatch(/already running/);
      expect(server().pid).toBe(pid);

      // topo redis stop: the keeper stops its server, the files go, the data stays.
      expect(await stopPrivateRedis(cwd)).toBe(true);
      expect(await ping(port)).toBe(false);
      expect(isAlive(keeper)).toBe(false);
      expect(existsSync(file)).toBe(false);
      expect(await stopPrivateRedis(cwd)).toBe(false);
      const third = await connectViews({ env: {}, cwd });
      const again = RedisViewStore.open(third.url!, { namespace: 'p' });
      expect((await again.values(views.hits, '/kept', [H0])).total).toBe(7);
      await again.close();

      // A crash of redis-server: its keeper starts it again on the same data.
      const crashed = server();
      process.kill(crashed.pid, 'SIGKILL');
      await until(async () => existsSync(file) && server().pid !== crashed.pid && (await ping(server().port)), 20_000, 'the restart');
      const after = RedisViewStore.open(`redis://127.0.0.1:${server().port}`, { namespace: 'p' });
      expect((await after.values(views.hits, '/kept', [H0])).total).toBe(7);
      await after.close();
    } finally {
      await stopPrivateRedis(cwd);
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('stops the private server by itself after TOPO_REDIS_IDLE_MS without a client, and never runs two on one folder', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'topo-idle-'));
    const file = join(cwd, '.topo', 'redis', 'server.json');
    try {
      // Two commands at once on a fresh folder: one server, which both use.
      const [a, b] = await Promise.all([startPrivateRedis(cwd, 'redis-server', 1500), startPrivateRedis(cwd, 'redis-server', 1500)]);
      expect(a.url).toBe(b.url);
      const { pid, keeper } = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; keeper: number };
      // A connected client holds it up past the idle time...
      const client = new Redis(a.port, '127.0.0.1');
      const held = Date.now();
      while (Date.now() - held < 3000) {
        expect(isAlive(pid)).toBe(true);
        await new Promise((r) => setTimeout(r, 100));
      }
      client.disconnect();
      // ...and once it is gone, the keeper stops the server and itself.
      await until(async () => !isAlive(pid) && !isAlive(keeper), 20_000, 'the idle stop');
      expect(existsSync(file)).toBe(false);
    } finally {
      await stopPrivateRedis(cwd);
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('keeps the private server up for a command from the moment it picks it until it releases it', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'topo-lease-'));
    const file = join(cwd, '.topo', 'redis', 'server.json');
    try {
      await startPrivateRedis(cwd, 'redis-server', 1500);
      const { pid, keeper } = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; keeper: number };
      // A command that connects no client of its own (its workers would, later): without the
      // lease, the keeper stopped the server 1.5 s after its PING, and the workers were refused.
      const conn = await connectViews({ env: {}, cwd });
      expect(conn.mode).toBe('private');
      const held = Date.now();
      while (Date.now() - held < 3000) {
        expect(isAlive(pid)).toBe(true);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await ping(JSON.parse(readFileSync(file, 'utf8')).port as number)).toBe(true);
      await conn.release();
      await until(async () => !isAlive(pid) && !isAlive(keeper), 20_000, 'the idle stop after the release');
    } finally {
      await stopPrivateRedis(cwd);
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
