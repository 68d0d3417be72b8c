// `topo up FILE`: the speed layer, the batch loop, the serving API and the dashboard in one
// command. End to end with the real CLI: --until-idle on the private redis-server of a fresh
// folder (the quick start's path), Ctrl-C during a batch run (held by the gated fixture) with a
// second `topo up` refused meanwhile, and a bad --every.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { gatedMaster } from './gated-master.js';
import { assertBuilt, cliFixture, ROOT, waitForOutput } from './run-cli.js';
import { killLeftovers, spawnIn } from './spawn-in.js';

const ORDERS = join(ROOT, 'topologies', 'orders.ts');
const GATED = cliFixture('gated-batch.ts');
let server: RedisServer;
let dir: string;
beforeAll(async () => {
  assertBuilt();
  server = await startRedis();
  dir = mkdtempSync(join(tmpdir(), 'topo-up-'));
});
afterAll(async () => {
  killLeftovers();
  await server?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('topo up', () => {
  it('--until-idle: consumes the input, publishes one batch run, says where everything was, exits 0 (private redis-server)', async () => {
    const cwd = join(dir, 'idle');
    mkdirSync(cwd);
    try {
      const up = spawnIn(cwd, ['up', ORDERS, '--until-idle', '--port', '0', '--workers', '1']);
      const r = await up.done;
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/\[up\] {3}dashboard {4}http:\/\/127\.0\.0\.1:\d+\/ui\//);
      expect(r.stderr).toContain(`(private redis-server, data in ${join(cwd, '.topo', 'redis')}`);
      expect(r.stderr).toContain(`master data  ${join(cwd, 'data', 'master')}`);
      expect(r.stderr).toMatch(/\[speed\] \[orders\] completed in/);
      expect(r.stderr).toMatch(/speed layer: input consumed \(completed\)/);
      expect(r.stderr).toMatch(/\[batch\] orders: batch 1 published/);
      expect(r.stderr).toMatch(/\[up\] stopped$/m);
      expect(existsSync(join(cwd, '.topo', 'up.json'))).toBe(false);
      // The batch view answers, from the same private Redis, found by a later command.
      const q = await spawnIn(cwd, ['query', 'orders', 'ada', '--topology', ORDERS, '--from', '2024-03-01', '--to', '2024-03-02', '--json']).done;
      expect(q.code, q.stderr).toBe(0);
      const answer = JSON.parse(q.stdout.trim().split('\n').pop()!) as { value: number; buckets: Array<{ source: string }> };
      expect(answer.value).toBe(3);
      expect(answer.buckets.some((b) => b.source === 'batch')).toBe(true);
    } finally {
      await spawnIn(cwd, ['redis', 'stop']).done;
    }
  }, 180_000);

  it('Ctrl-C during a batch run: aborted unpublished, speed layer and server stopped, exit 0; a second topo up meanwhile names the pid, exit 1', async () => {
    const cwd = join(dir, 'ctrl-c');
    const spills = join(cwd, 'tmp');
    mkdirSync(spills, { recursive: true });
    const master = join(cwd, 'master');
    await gatedMaster(master, cwd);
    const gate = join(cwd, 'gate');
    writeFileSync(gate, '');
    const redisUrl = `${server.url}/5`;
    const up = spawnIn(cwd, ['up', GATED, '--every', '0', '--port', '0', '--master', master, '--redis', redisUrl, '--threads', '1', '--workers', '1',
      '-c', `input=${join(ROOT, 'topologies', 'data', 'orders.csv')}`, '--metrics-interval', '1s'], { TOPO_TEST_BATCH_GATE: gate, TMPDIR: spills });
    const held = /\[batch\] run 1 files (\d+)\/(\d+)/;
    await waitForOutput(up.out, (s) => /input consumed/.test(s) && held.test(s), 90_000);
    const url = /\[up\] {3}dashboard {4}(http:\/\/127\.0\.0\.1:\d+)\/ui\//.exec(up.out.stderr)?.[1];
    expect(url, up.out.stderr).toBeDefined();
    const speedPid = Number(/\[up\] speed layer: topo run .* \(pid (\d+)\)/.exec(up.out.stderr)?.[1]);
    expect(isAlive(speedPid)).toBe(true);
    // The serving API answers, and the topology page's live figures come from the speed layer's run.
    const views = await fetch(`${url}/api/views`);
    expect(views.status).toBe(200);
    const topology = (await (await fetch(`${url}/api/topology`)).json()) as { topology: string; live: unknown };
    expect(topology.topology).toBe('orders');
    expect(topology.live).not.toBeNull();

    const second = await spawnIn(cwd, ['up', GATED, '--port', '0', '--redis', redisUrl]).done;
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`topo up already runs on this folder (${cwd}): pid ${up.child.pid}`);

    up.child.kill('SIGINT');
    await waitForOutput(up.out, (s) => /\[up\] SIGINT: stopping/.test(s), 10_000);
    rmSync(gate); // the held run reaches its next check and aborts
    const r = await up.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\[batch\] run 1 aborted: nothing of this run was published/);
    expect(r.stderr).not.toMatch(/batch \d+ published/);
    expect(r.stderr).toMatch(/\[up\] stopped$/m);
    expect(isAlive(speedPid)).toBe(false);
    await expect(fetch(`${url}/api/views`)).rejects.toThrow();
    expect(existsSync(join(cwd, '.topo', 'up.json'))).toBe(false);
    expect(readdirSync(spills).filter((f) => f.startsWith('topo-batch-'))).toEqual([]);
    const redis = new Redis(redisUrl);
    try {
      expect(await redis.get('topo:orders:batch:lease')).toBeNull();
      expect(await redis.keys('*:batch')).toEqual([]);
      expect(await redis.keys('*:batches')).toEqual([]);
      expect((await redis.keys('*')).length).toBeGreaterThan(0); // the speed layer's realtime views stay
    } finally {
      redis.disconnect();
    }
  }, 180_000);

  it('restarts a speed layer killed whole while serving answers throughout, and a speed layer outliving a killed topo up stops (pageviews on a Redis stream)', async () => {
    const cwd = join(dir, 'restart');
    mkdirSync(cwd);
    const up = spawnIn(cwd, ['up', join(ROOT, 'topologies', 'pageviews.ts'), '--every', '1h', '--port', '0', '--workers', '1', '--redis', `${server.url}/6`,
      '--master', join(cwd, 'master'), '-c', 'stream=up-restart']);
    const started = /\[up\] speed layer: topo run .* \(pid (\d+)\)/;
    await waitForOutput(up.out, (s) => started.test(s) && /\[speed\] \[pageviews\] running:/.test(s), 90_000);
    const url = /\[up\] {3}dashboard {4}(http:\/\/127\.0\.0\.1:\d+)\/ui\//.exec(up.out.stderr)![1];
    const first = Number(started.exec(up.out.stderr)![1]);
    process.kill(first, 'SIGKILL');
    const again = /\[up\] speed layer: topo run .* \(pid (\d+)\), start 2/;
    await waitForOutput(up.out, (s) => again.test(s), 30_000);
    expect(up.out.stderr).toMatch(/\[up\] speed layer killed by SIGKILL: restarting it in 1s/);
    expect((await fetch(`${url}/api/views`)).status).toBe(200);
    const second = Number(again.exec(up.out.stderr)![1]);
    expect(isAlive(first)).toBe(false);
    await waitForOutput(up.out, (s) => s.split('[speed] [pageviews] running:').length > 2, 60_000);
    expect(isAlive(second)).toBe(true);
    // topo up killed outright: its speed layer (a process group of its own) notices and stops.
    up.child.kill('SIGKILL');
    await up.done;
    for (const until = Date.now() + 30_000; isAlive(second) && Date.now() < until; ) await new Promise((r) => setTimeout(r, 100));
    expect(isAlive(second)).toBe(false);
  }, 180_000);

  it('-c input=-: reads stdin through a Redis stream, rejects a bad line naming it, and publishes what it read (--until-idle)', async () => {
    const cwd = join(dir, 'stdin');
    mkdirSync(cwd);
    const lines = readFileSync(join(ROOT, 'topologies', 'data', 'apache_logs.log'), 'utf8').split('\n').slice(0, 200);
    const input = [...lines.slice(0, 100), 'not a log line', ...lines.slice(100)].join('\n') + '\n';
    const redisUrl = `${server.url}/7`;
    const r = await spawnIn(cwd, ['up', join(ROOT, 'topologies', 'pageviews.ts'), '-c', 'input=-', '--format', 'apache', '--until-idle', '--port', '0',
      '--workers', '1', '--redis', redisUrl, '--master', join(cwd, 'master')], {}, input).done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\[up\] stdin:101: .* \(not appended\)/);
    expect(r.stderr).toMatch(/\[up\] stdin ended: 201 lines, 200 appended to 'topo:pageviews:up-stdin', 1 rejected/);
    expect(r.stderr).toMatch(/\[speed\] \[pageviews\] completed in .*: acked 200 /);
    expect(r.stderr).toMatch(/\[batch\] \d+ files, 200 records/);
    expect(r.stderr).toMatch(/\[batch\] pageviews: batch \d+ published/);
  }, 180_000);

  it('refuses an --every that does not parse (exit 2) before taking the folder', async () => {
    const cwd = join(dir, 'bad');
    mkdirSync(cwd);
    const r = await spawnIn(cwd, ['up', ORDERS, '--every', 'soon']).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--every/);
    expect(existsSync(join(cwd, '.topo'))).toBe(false);
  });
});
