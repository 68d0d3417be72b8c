// `topo batch FILE --every T` signalled during a run: the first SIGTERM lets the run finish,
// the second aborts it. An aborted run publishes nothing (no pointer, no version), removes its
// spill folder, releases the namespace's lease and exits 1, as docs/batch.md says. The run is
// held mid-way by the gated fixture (test/fixtures/cli/gated-batch.ts), so the signals land
// while it runs whatever the machine's speed.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { assertBuilt, cliFixture, topo, waitForOutput } from './run-cli.js';
import { gatedMaster } from './gated-master.js';
import { killLeftovers, spawnIn } from './spawn-in.js';

const GATED = cliFixture('gated-batch.ts');
let server: RedisServer;
let dir: string;
beforeAll(async () => {
  assertBuilt();
  server = await startRedis();
  dir = mkdtempSync(join(tmpdir(), 'topo-batch-abort-'));
});
afterAll(async () => {
  killLeftovers();
  await server?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('topo batch --every, signalled during a run', () => {
  it('aborts it on the second signal: nothing published, spill folder removed, lease released, exit 1', async () => {
    const master = join(dir, 'master');
    const spills = join(dir, 'tmp');
    mkdirSync(spills);
    await gatedMaster(master, dir);
    const gate = join(dir, 'gate');
    writeFileSync(gate, '');
    const redisUrl = `${server.url}/4`;
    const loop = spawnIn(dir, ['batch', GATED, '--every', '0', '--master', master, '--redis', redisUrl, '--threads', '1'],
      { TOPO_TEST_BATCH_GATE: gate, TMPDIR: spills });
    // Parts of 2024-03-01 and -02 mapped; the gate's part holds the run.
    await waitForOutput(loop.out, (s) => /\[batch\] run 1 files [12]\/3/.test(s), 60_000);
    expect(readdirSync(spills).filter((f) => f.startsWith('topo-batch-'))).toHaveLength(1); // the run's spill folder
    loop.child.kill('SIGTERM');
    await waitForOutput(loop.out, (s) => /finishing the current run/.test(s), 10_000);
    loop.child.kill('SIGTERM');
    await waitForOutput(loop.out, (s) => /SIGTERM again: aborting the current run/.test(s), 10_000);
    rmSync(gate);
    const r = await loop.done;
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/\[batch\] run 1 aborted: nothing of this run was published, the current versions stay/);
    expect(r.stderr).not.toMatch(/published, \d+ cells/);
    expect(readdirSync(spills).filter((f) => f.startsWith('topo-batch-'))).toEqual([]);
    const redis = new Redis(redisUrl);
    try {
      expect(await redis.get('topo:orders:batch:lease')).toBeNull();
      expect(await redis.keys('*:batch')).toEqual([]); // no view has a current version
      expect(await redis.keys('*:batches')).toEqual([]); // and none was opened
    } finally {
      redis.disconnect();
    }
    // The lease is free: a run now takes it and publishes.
    const again = await topo(['batch', GATED, '--master', master, '--redis', redisUrl, '--threads', '1', '-q']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/\[batch\] orders: batch \d+ published/);
    expect(existsSync(gate)).toBe(false);
  }, 120_000);
});
