// A stateful bolt over two worker threads whose thread dies mid-run, holding inputs and
// changes not yet checkpointed: the replacement resumes from the last checkpoint, the
// held inputs replay, and every key's committed count is exactly its number of events.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTopology } from '../../src/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { freshDir, spoutAcks } from '../runtime/results.js';
import { committedCounts, oracle, sorted, stateFixture } from './e2e.js';

const COUNT = 3000;
let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.dispose();
});

const keys = Array.from({ length: COUNT }, (_, id) => `k${id % 13}`);

/** One run of the fixture over two threads, checked to complete with every id acked once. */
async function run(dir: string, config: Record<string, unknown>, chaos?: { everyMs: number; max: number }) {
  const events: string[] = [];
  const handle = await runTopology(stateFixture('keyed-count.ts'), {
    overrides: { workers: 2 },
    config: { count: COUNT, outDir: dir, redis: redis.url, ...config },
    ...(chaos ? { chaosKillEveryMs: chaos.everyMs, chaosMaxKills: chaos.max } : {}),
    onEvent: (e) => events.push(e),
  });
  const summary = await handle.completion;
  expect(summary.status).toBe('completed');
  const s = summary.spouts['ids']!;
  expect(s.acked).toBe(COUNT);
  for (const n of spoutAcks(dir).values()) expect(n).toBe(1);
  return { summary, events };
}

describe('a stateful bolt whose thread dies', () => {
  const dirs: string[] = [];
  const dir = (): string => {
    const d = freshDir('state-death');
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('resumes from its last checkpoint when it dies as a checkpoint starts: no count lost, none doubled by the replays', async () => {
    const d = dir();
    const ns = 'at-checkpoint';
    const { summary, events } = await run(d, { crashAtCheckpoint: 4, stateNamespace: ns });
    expect(readFileSync(join(d, 'crashed'), 'utf8')).toBe('4');
    expect(summary.restarts).toBe(1);
    expect(events.some((e) => /worker 1 died/.test(e))).toBe(true);
    expect(summary.spouts['ids']!.failed).toBeGreaterThan(0); // the held inputs of the dead thread replayed
    expect(summary.spouts['ids']!.replayed).toBeGreaterThan(0);
    expect(sorted(await committedCounts(redis.url, ns, 'count', 2))).toEqual(sorted(oracle(keys)));
  }, 60_000);

  it('is exact too when it dies in an execute, wherever the last checkpoint was', async () => {
    const d = dir();
    const ns = 'in-execute';
    const { summary } = await run(d, { crashAfterInputs: 700, stateNamespace: ns });
    expect(existsSync(join(d, 'crashed'))).toBe(true);
    expect(summary.restarts).toBe(1);
    expect(sorted(await committedCounts(redis.url, ns, 'count', 2))).toEqual(sorted(oracle(keys)));
  }, 60_000);

  it('is exact under chaos: three kills of the thread at any moment', async () => {
    const ns = 'chaos';
    const { summary } = await run(dir(), { stateNamespace: ns }, { everyMs: 150, max: 3 });
    expect(summary.chaosKills).toBe(3);
    expect(sorted(await committedCounts(redis.url, ns, 'count', 2))).toEqual(sorted(oracle(keys)));
  }, 60_000);
});
