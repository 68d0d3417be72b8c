// Checkpoints on a real three-master Redis Cluster: a task's three keys share one hash tag,
// so its commit script runs on one node; tasks spread over the nodes; a restart resumes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaseStatefulBolt, type KeyValueState, type Tuple } from '../../src/index.js';
import { stateKeys } from '../../src/state/checkpoint-store.js';
import { keySlot } from '../../src/speed/slot.js';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { context, drive, tick, tuple } from './harness.js';

class Counter extends BaseStatefulBolt {
  state!: KeyValueState;
  initState(s: KeyValueState): void {
    this.state = s;
  }
  execute(t: Tuple): void {
    this.state.increment(t.getString(0));
  }
}

let cluster: RedisCluster;
beforeAll(async () => {
  cluster = await startRedisCluster();
}, 60_000);
afterAll(async () => {
  await cluster?.dispose();
});

describe('stateful bolt checkpoints on a Redis Cluster', () => {
  it('commits each task in one slot, and a restarted task resumes from its checkpoint', async () => {
    const config = { redisCluster: cluster.urls, messageTimeoutMs: 3000 };
    const tasks = [0, 1, 2, 3].map((i) => context('count', i, 4));
    const slots = new Set<number>();
    for (const ctx of tasks) {
      const k = stateKeys('state-test', 'count', ctx.taskIndex);
      expect(new Set([keySlot(k.data), keySlot(k.meta), keySlot(k.ids)]).size).toBe(1);
      slots.add(keySlot(k.data));
      const a = await drive(new Counter(), config, { idField: 'n' }, ctx);
      await a.send(tuple([`w${ctx.taskIndex}`, 1]));
      await a.send(tuple([`w${ctx.taskIndex}`, 2]));
      await a.send(tick());
      expect(a.collector.acked).toHaveLength(2);
      await a.runner.cleanup();
    }
    expect(slots.size).toBe(4);
    const b = await drive(new Counter(), config, { idField: 'n' }, tasks[2]!);
    await b.send(tuple(['w2', 2])); // a replay: recognised from the checkpointed ids
    await b.send(tuple(['w2', 3]));
    await b.send(tick());
    expect(b.runner.stats.replaysSkipped).toBe(1);
    expect(b.runner.committedTxid).toBe(2);
    await b.runner.cleanup();
    const restored = new Counter();
    const c = await drive(restored, config, {}, tasks[2]!);
    expect(c.runner.committedTxid).toBe(2);
    expect([...restored.state.keys()].map((k) => [k, restored.state.get(k)])).toEqual([['w2', 3]]);
    await c.runner.cleanup();
  }, 60_000);
});
