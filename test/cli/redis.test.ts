// `topo redis status|stop`: the private redis-server a command started in this folder stays
// up for the next one; status says where, stop stops it (the data stays) and status then
// exits 1.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lastJson, ROOT, topoIn, cleanEnv } from '../pageviews-e2e/harness.js';
import { stopPrivateRedis } from '../../src/speed/private-redis.js';

const cwd = mkdtempSync(join(tmpdir(), 'topo-redis-cli-'));
afterAll(async () => {
  await stopPrivateRedis(cwd);
  rmSync(cwd, { recursive: true, force: true });
});

describe('topo redis', () => {
  it('status, after a command started the private server; stop; status again', async () => {
    const env = cleanEnv();
    const none = await topoIn(['redis', 'status'], { cwd, env });
    expect(none.code).toBe(1);
    expect(none.stdout).toMatch(/no private redis-server runs for .*\.topo\/redis/);
    const run = await topoIn(['run', join(ROOT, 'topologies', 'orders.ts'), '-c', `master=${join(cwd, 'master')}`, '-q', '--json'], { cwd, env, timeoutMs: 90_000 });
    expect(run.code, run.stderr).toBe(0);
    const up = await topoIn(['redis', 'status', '--json'], { cwd, env });
    expect(up.code, up.stderr).toBe(0);
    const s = lastJson<{ running: boolean; url: string; pid: number }>(up);
    expect(s.running).toBe(true);
    expect(s.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    // The next command finds it: the same server answers the query.
    const q = await topoIn(['query', 'orders', 'ada', '--topology', join(ROOT, 'topologies', 'orders.ts'), '--from', '2024-03-01', '--to', '2024-03-02', '--json'], { cwd, env });
    expect(q.code, q.stderr).toBe(0);
    expect(lastJson<{ value: number }>(q).value).toBe(3);
    const stop = await topoIn(['redis', 'stop'], { cwd, env });
    expect(stop.code).toBe(0);
    expect(stop.stdout).toMatch(/stopped the private redis-server/);
    expect((await topoIn(['redis', 'status'], { cwd, env })).code).toBe(1);
    const bad = await topoIn(['redis', 'restart'], { cwd, env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown action 'restart' \(status, stop\)/);
  }, 120_000);
});
