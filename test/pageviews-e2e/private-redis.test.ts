/**
 * No Redis flags and no REDIS_URL: `topo run` starts a private redis-server with its data in
 * ./.topo/redis and leaves it running; a later `topo query` in the same folder finds it (no
 * restart, no replay of its append-only file) and reads what the run wrote.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt } from '../cli/run-cli.js';
import { stopPrivateRedis } from '../../src/speed/private-redis.js';
import { cleanEnv, lastJson, PAGEVIEWS, SHIPPED_LOG, topoIn, type QueryJson, type RunSummaryJson } from './harness.js';
import { iso, pageviewsBetween, refEvents, truthOf, urlsByTotal, type Truth } from './reference.js';

let cwd: string;
let truth: Truth;
beforeAll(() => {
  assertBuilt();
  cwd = mkdtempSync(join(tmpdir(), 'topo-pv-private-'));
  truth = truthOf(refEvents(readFileSync(SHIPPED_LOG, 'utf8')).events);
});
afterAll(async () => {
  // The server this test's commands started (through its keeper, by their recorded pids).
  if (cwd) await stopPrivateRedis(cwd);
  rmSync(cwd, { recursive: true, force: true });
});

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('views without Redis flags', () => {
  it('run in a fresh folder uses a private redis-server in ./.topo/redis; a later query there reads the same values', async () => {
    const env = cleanEnv();
    const run = await topoIn(['run', PAGEVIEWS, '--json', '--metrics-interval', '60s'], { cwd, env });
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    const s = lastJson<RunSummaryJson>(run);
    expect(s.status).toBe('completed');
    expect(s.spouts['lines']!.acked).toBe(10_000);
    expect(run.stderr).toMatch(/private redis-server, data in .*\.topo\/redis/);
    expect(run.stderr).not.toMatch(/in memory|in-process/);
    expect(existsSync(join(cwd, '.topo', 'redis'))).toBe(true);
    // The server stays up for the next command.
    const serverFile = join(cwd, '.topo', 'redis', 'server.json');
    const { pid } = JSON.parse(readFileSync(serverFile, 'utf8')) as { pid: number };
    expect(alive(pid)).toBe(true);

    const first = truth.hours[0]!;
    const last = truth.hours[truth.hours.length - 1]!;
    for (const { url } of urlsByTotal(truth).slice(0, 3)) {
      const q = await topoIn(['query', 'pageviews', url, '--topology', PAGEVIEWS, '--from', iso(first), '--to', iso(last), '--json'], { cwd, env });
      expect(q.code, q.stderr).toBe(0);
      expect((JSON.parse(readFileSync(serverFile, 'utf8')) as { pid: number }).pid).toBe(pid); // the same server, not a restart
      const a = lastJson<QueryJson>(q);
      expect(a.value).toBe(pageviewsBetween(truth, url, first, last));
      expect(a.buckets.map((b) => b.value)).toEqual(truth.hours.map((h) => truth.pageviews.get(url)!.get(h) ?? 0));
    }
    const bounces = truth.bounces.get('semicomplete.com')!;
    const b = await topoIn(['query', 'bounces', 'semicomplete.com', '--topology', PAGEVIEWS, '--from', iso(first), '--to', iso(last), '--json'], { cwd, env });
    expect(b.code, b.stderr).toBe(0);
    expect(lastJson<QueryJson<{ visits: number }>>(b).value.visits).toBe([...bounces.values()].reduce((n, c) => n + c.visits, 0));
  });
});
