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

describe('a stateful bolt whose thread dies', () => {
  it('resumes from its last checkpoint: no count lost, none doubled by the replays', async () => {
    const dir = freshDir('state-death');
    try {
      const events: string[] = [];
      const handle = await runTopology(stateFixture('keyed-count.ts'), {
        overrides: { workers: 2 },
        config: { count: COUNT, outDir: dir, redis: redis.url, crashAtCheckpoint: 4 },
        onEvent: (e) => events.push(e),
      });
      const summary = await handle.completion;
      expect(summary.status).toBe('completed');
      expect(existsSync(join(dir, 'crashed'))).toBe(true);
      expect(readFileSync(join(dir, 'crashed'), 'utf8')).toBe('4');
      expect(summary.restarts).toBe(1);
      expect(events.some((e) => /worker 1 died/.test(e))).toBe(true);
      const s = summary.spouts['ids']!;
      expect(s.acked).toBe(COUNT);
      expect(s.failed).toBeGreaterThan(0); // the held inputs of the dead thread replayed
      expect(s.replayed).toBeGreaterThan(0);
      for (const n of spoutAcks(dir).values()) expect(n).toBe(1);
      const keys = Array.from({ length: COUNT }, (_, id) => `k${id % 13}`);
      expect(sorted(await committedCounts(redis.url, 'keyed-count', 'count', 2))).toEqual(sorted(oracle(keys)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
