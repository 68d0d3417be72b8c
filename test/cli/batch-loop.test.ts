// `topo batch FILE --every T`: one recompute after another until a signal; a failed run keeps
// the current versions and is retried with a doubling delay; SIGTERM between runs stops at
// once with exit 0. The orders example over a real redis-server.
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { assertBuilt, spawnTopo, topo, waitForOutput } from './run-cli.js';
import { ROOT } from '../pageviews-e2e/harness.js';

const ORDERS = join(ROOT, 'topologies', 'orders.ts');
let server: RedisServer;
let dir: string;
beforeAll(async () => {
  assertBuilt();
  server = await startRedis();
  dir = mkdtempSync(join(tmpdir(), 'topo-batch-loop-'));
});
afterAll(async () => {
  await server?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const jsonLines = (s: string): Array<{ batchId: number }> => s.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));

describe('topo batch --every', () => {
  it('runs again and again, each with its own summary, and stops on SIGTERM between runs (exit 0)', async () => {
    const master = join(dir, 'a');
    const ingest = await topo(['ingest', join(ROOT, 'topologies', 'data', 'orders.csv'), '--topology', ORDERS, '--format', 'csv', '--master', master, '-q']);
    expect(ingest.code, ingest.stderr).toBe(0);
    const loop = spawnTopo(['batch', ORDERS, '--every', '0', '--master', master, '--redis', `${server.url}/1`, '--threads', '1', '--json']);
    await waitForOutput(loop.out, () => jsonLines(loop.out.stdout).length >= 3, 90_000);
    loop.child.kill('SIGTERM');
    const r = await loop.done;
    expect(r.code, r.stderr).toBe(0);
    const ids = jsonLines(r.stdout).map((j) => j.batchId);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    expect(ids).toEqual([...ids].sort((a, b) => a - b)); // each run published a newer version
    expect(new Set(ids).size).toBe(ids.length);
    expect(r.stderr).toMatch(/SIGTERM: (stopping between runs|finishing the current run, then stopping)/);
  }, 120_000);

  it('retries a failed run with a doubling delay and keeps the published version meanwhile', async () => {
    const master = join(dir, 'b');
    const redis = `${server.url}/2`;
    cpSync(join(ROOT, 'topologies', 'data'), join(dir, 'data-b'), { recursive: true });
    expect((await topo(['ingest', join(dir, 'data-b', 'orders.csv'), '--topology', ORDERS, '--format', 'csv', '--master', master, '-q'])).code).toBe(0);
    expect((await topo(['batch', ORDERS, '--master', master, '--redis', redis, '-q'])).code).toBe(0);
    // A line that is not a record: --strict refuses to publish while it is there.
    appendFileSync(join(master, 'orders', 'date=2024-03-01', 'part-broken.jsonl'), 'not json\n');
    const loop = spawnTopo(['batch', ORDERS, '--every', '1h', '--strict', '--master', master, '--redis', redis, '--threads', '1']);
    await waitForOutput(loop.out, (s) => /run 2 failed/.test(s), 60_000);
    loop.child.kill('SIGTERM');
    const r = await loop.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/run 1 failed: .*bad line.*; the current versions stay/i);
    expect(r.stderr).toMatch(/retrying in 1\.0s/);
    expect(r.stderr).toMatch(/retrying in 2\.0s/);
    const q = await topo(['query', 'orders', 'ada', '--topology', ORDERS, '--from', '2024-03-01', '--to', '2024-03-02', '--json', '--redis', redis]);
    expect(q.code, q.stderr).toBe(0);
    expect(JSON.parse(q.stdout.trim().split('\n').pop()!).value).toBe(3); // batch 1 still answers
  }, 120_000);

  it('refuses a bad --every, and --every with --rollback (exit 2)', async () => {
    const bad = await topo(['batch', ORDERS, '--every', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--every/);
    const both = await topo(['batch', ORDERS, '--every', '1h', '--rollback', 'orders']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--every repeats a recompute; it does not go with --rollback/);
  });
});
