// A process restart: a run over a Redis stream is stopped part-way, and a second run over
// the same stream and state resumes: the spout from what its group acked, the bolt from its
// last checkpoint. Every key's committed count is then exactly its number of events.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTopology } from '../../src/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { committedCounts, oracle, sorted, stateFixture } from './e2e.js';

const COUNT = 4000;
let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.dispose();
});

const total = async (): Promise<number> => {
  let n = 0;
  for (const v of (await committedCounts(redis.url, 'keyed-count-stream', 'count', 2)).values()) n += v;
  return n;
};

describe('a stateful topology restarted', () => {
  it('resumes from its checkpoint and ends with every count exact', async () => {
    const client = new Redis(redis.url);
    const keys = Array.from({ length: COUNT }, (_, i) => `key${(i * 7) % 11}`);
    for (let i = 0; i < COUNT; i += 500) {
      const p = client.pipeline();
      for (let j = i; j < Math.min(COUNT, i + 500); j++) p.xadd('events', '*', 'line', keys[j]!, 'id', `e${j}`);
      await p.exec();
    }
    client.disconnect();
    const config = {
      redis: redis.url, stream: 'events', 'stream.start': '0', 'stream.blockMs': 100, 'stream.claimIdleMs': 300, 'stream.idleExitMs': 1500,
    };
    const first = await runTopology(stateFixture('keyed-count-stream.ts'), { overrides: { workers: 2 }, config });
    let committed = 0;
    const deadline = Date.now() + 20_000;
    while ((committed = await total()) < COUNT / 4) {
      if (Date.now() > deadline) throw new Error(`only ${committed} events committed`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const stopped = await first.stop();
    expect(stopped.status).toBe('stopped');
    const afterFirst = await total();
    expect(afterFirst).toBeLessThan(COUNT); // stopped part-way

    const second = await runTopology(stateFixture('keyed-count-stream.ts'), { overrides: { workers: 2 }, config });
    const summary = await second.completion;
    expect(summary.status).toBe('completed');
    expect(summary.spouts['events']!.acked).toBeLessThanOrEqual(COUNT - afterFirst + 200); // resumed, not started over
    expect(sorted(await committedCounts(redis.url, 'keyed-count-stream', 'count', 2))).toEqual(sorted(oracle(keys)));
  }, 60_000);
});
