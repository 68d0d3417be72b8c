// A stateful bolt task against a real redis-server: inputs wait for the checkpoint that
// holds their changes, a commit that fails (Redis down, a reply lost) acks nothing and is
// retried, a restart resumes from the last commit, and a second instance is fenced off.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaseStatefulBolt, type KeyValueState, type StatefulOutputCollector, type Tuple } from '../../src/index.js';
import { stateKeys } from '../../src/state/checkpoint-store.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { context, drive, tick, tuple, until } from './harness.js';

class Counter extends BaseStatefulBolt {
  state!: KeyValueState;
  initState(s: KeyValueState): void {
    this.state = s;
  }
  execute(t: Tuple, c: StatefulOutputCollector): void {
    const k = t.getString(0);
    const n = this.state.increment(k);
    if (k === 'boom') throw new Error('boom after a change');
    if (k === 'map') this.state.put('bad', new Map() as never);
    c.emit([k, n]);
  }
}

let redis: RedisServer;
let client: Redis;
let ns = 0;
const config = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ redis: redis.url, stateNamespace: `t${ns}`, messageTimeoutMs: 3000, ...extra });
const stored = async (taskIndex = 0): Promise<Record<string, string>> => client.hgetall(stateKeys(`t${ns}`, 'count', taskIndex).data);

beforeAll(async () => {
  redis = await startRedis({ aof: true });
  client = new Redis(redis.url);
});
afterAll(async () => {
  client.disconnect();
  await redis.dispose();
});

describe('a stateful bolt task checkpointing to Redis', () => {
  it('acks inputs only once a checkpoint holding them is committed, and a restart resumes from it', async () => {
    ns++;
    const a = await drive(new Counter(), config());
    for (const k of ['x', 'y', 'x']) await a.send(tuple([k]));
    expect(a.collector.acked).toHaveLength(0);
    expect(a.collector.emitted.map((e) => e.values)).toEqual([['x', 1], ['y', 1], ['x', 2]]);
    expect((a.collector.emitted[2]!.anchors as Tuple).values).toEqual(['x']); // anchored to its input
    await a.send(tick());
    expect(a.collector.acked).toHaveLength(3);
    expect(await stored()).toEqual({ x: '2', y: '1' });
    await a.send(tuple(['y']));
    await a.runner.cleanup(); // the process ends before the next checkpoint: 'y' -> 2 is lost, and its input unacked
    expect(a.collector.acked).toHaveLength(3);

    const b = await drive(new Counter(), config());
    expect(b.runner.committedTxid).toBe(1);
    await b.send(tuple(['y'])); // the replay
    await b.send(tick());
    expect(await stored()).toEqual({ x: '2', y: '2' });
    await b.runner.cleanup();
  });

  it('commits as soon as checkpointEveryInputs inputs wait, without a tick', async () => {
    ns++;
    const a = await drive(new Counter(), config(), { checkpointEveryInputs: 2 });
    await a.send(tuple(['x']));
    expect(a.collector.acked).toHaveLength(0);
    await a.send(tuple(['x']));
    expect(a.collector.acked).toHaveLength(2);
    await a.runner.cleanup();
  });

  it('undoes the state changes of an input that throws, fails it and reports the error', async () => {
    ns++;
    const a = await drive(new Counter(), config());
    await a.send(tuple(['boom']));
    await a.send(tuple(['map']));
    await a.send(tuple(['ok']));
    await a.send(tick());
    expect(a.collector.failed.map((t) => t.values[0])).toEqual(['boom', 'map']);
    expect(a.collector.acked.map((t) => t.values[0])).toEqual(['ok']);
    expect(a.collector.errors).toEqual(['boom after a change', "bolt 'count': state put('bad'): a Map cannot be stored as JSON (only plain objects, arrays and primitives)"]);
    expect(await stored()).toEqual({ ok: '1' });
    await a.runner.cleanup();
  });

  it('acks nothing while Redis is down, keeps the held trees alive, and commits once it is back', async () => {
    ns++;
    const a = await drive(new Counter(), config());
    await a.send(tuple(['x']));
    await a.send(tick());
    await redis.stop();
    await a.send(tuple(['x']));
    await a.send(tuple(['z']));
    const committing = a.runner.execute(tick()) as Promise<void>;
    await until(() => a.collector.errors.length >= 2, 5000, 'failed commits');
    expect(a.collector.errors[0]).toMatch(/^bolt 'count' \(task index 0\): checkpoint 2 \(2 keys\) failed, nothing acked, retrying in 50 ms/);
    expect(a.collector.acked).toHaveLength(1);
    expect(a.collector.resets.length).toBeGreaterThanOrEqual(2);
    await redis.restart();
    await committing;
    expect(a.collector.acked).toHaveLength(3);
    expect(await stored()).toEqual({ x: '2', z: '1' });
    await a.runner.cleanup();
  }, 20_000);

  it('retries a commit whose reply never came (it landed) without applying anything twice', async () => {
    ns++;
    const a = await drive(new Counter(), config({ redisCommandTimeoutMs: 150 }));
    await a.send(tuple(['x']));
    // Writes pause on the server: the script is queued, the client times out, then it runs.
    const admin = new Redis(redis.url);
    await admin.call('CLIENT', 'PAUSE', '600', 'WRITE');
    const committing = a.runner.execute(tick()) as Promise<void>;
    await until(() => a.collector.errors.length >= 1, 3000, 'a timed-out commit');
    expect(a.collector.acked).toHaveLength(0);
    await a.send(tuple(['x'])); // arrives meanwhile: joins the retry
    await committing;
    expect(a.collector.acked).toHaveLength(2);
    expect(await stored()).toEqual({ x: '2' });
    expect(await client.hget(stateKeys(`t${ns}`, 'count', 0).meta, 'txid')).toBe('1');
    admin.disconnect();
    await a.runner.cleanup();
  }, 20_000);

  it('fences off an older instance once a newer one opened the state: it fails the run and acks nothing', async () => {
    ns++;
    const old = await drive(new Counter(), config());
    const fresh = await drive(new Counter(), config());
    await old.send(tuple(['x']));
    await old.send(tick());
    expect(old.collector.acked).toHaveLength(0);
    expect(old.collector.failed).toHaveLength(1);
    expect(old.collector.runFailure).toMatch(/^bolt 'count' \(task index 0\): checkpoints stopped: state claimed by another instance \(epoch 2, ours 1\); is another run/);
    await old.send(tuple(['x'])); // the run is failing: later inputs are failed, never held
    expect(old.collector.failed).toHaveLength(2);
    await fresh.send(tuple(['x']));
    await fresh.send(tick());
    expect(await stored()).toEqual({ x: '1' });
    await old.runner.cleanup();
    await fresh.runner.cleanup();
  });

  it('refuses a state written with another parallelism, naming the bolt', async () => {
    ns++;
    const a = await drive(new Counter(), config(), {}, context('count', 0, 2));
    await a.runner.cleanup();
    await expect(drive(new Counter(), config(), {}, context('count', 0, 3))).rejects.toThrow(
      /^bolt 'count' \(task index 0\): its state was checkpointed with 2 task\(s\) and the bolt now has 3/,
    );
  });

  it('with idField, holds and acks a replay of an applied input without executing it, across a restart', async () => {
    ns++;
    const a = await drive(new Counter(), config(), { idField: 'n' });
    await a.send(tuple(['x', 1]));
    await a.send(tuple(['x', 1])); // replayed before the checkpoint
    await a.send(tick());
    expect(a.collector.acked).toHaveLength(2);
    expect(a.runner.stats.replaysSkipped).toBe(1);
    await a.runner.cleanup();
    const b = await drive(new Counter(), config(), { idField: 'n' });
    await b.send(tuple(['x', 1])); // replayed after a restart (its ack was lost)
    await b.send(tuple(['x', 2]));
    await b.send(tuple(['y'])); // no id: failed, reported
    await b.send(tick());
    expect(b.collector.acked.map((t) => t.values)).toEqual([['x', 1], ['x', 2]]);
    expect(b.collector.failed.map((t) => t.values)).toEqual([['y']]);
    expect(b.collector.errors).toEqual([
      "bolt 'count' (task index 0): an input from 'src' stream 'default' has no usable idField 'n' (the stream has no such field); the tuple is failed",
    ]);
    expect(b.collector.emitted.map((e) => e.values)).toEqual([['x', 2]]); // the replay emitted nothing
    expect(await stored()).toEqual({ x: '2' });
    await b.runner.cleanup();
  });

  it('forgets applied ids after dedupeRetentionMs of checkpoints', async () => {
    ns++;
    const a = await drive(new Counter(), config({ tickFrequencyMs: 100 }), { idField: 'n', dedupeRetentionMs: 200 });
    const ids = stateKeys(`t${ns}`, 'count', 0).ids;
    await a.send(tuple(['x', 1]));
    await a.send(tick());
    // One field per checkpoint: txid -> the ids it applied.
    expect(await client.hgetall(ids)).toEqual({ 1: '["1"]' });
    for (let i = 2; i <= 4; i++) {
      await a.send(tuple(['x', i]));
      await a.send(tuple(['x', i + 10]));
      await a.send(tick());
    }
    expect(await client.hgetall(ids)).toEqual({ 3: '["3","13"]', 4: '["4","14"]' });
    await a.runner.cleanup();
  });

  it('reads applied ids kept one field per id (the previous shape) and rewrites them per checkpoint', async () => {
    ns++;
    const k = stateKeys(`t${ns}`, 'count', 0);
    const a = await drive(new Counter(), config(), { idField: 'n' });
    await a.send(tuple(['x', 1]));
    await a.send(tick());
    await a.runner.cleanup();
    // As the previous version left it: id -> txid.
    await client.del(k.ids);
    await client.hset(k.ids, '1', '1', '5', '1');
    const b = await drive(new Counter(), config(), { idField: 'n' });
    await b.send(tuple(['x', 5])); // applied before the upgrade: recognised
    await b.send(tuple(['x', 6]));
    await b.send(tick());
    expect(b.runner.stats.replaysSkipped).toBe(1);
    expect(await stored()).toEqual({ x: '2' });
    expect(await client.hgetall(k.ids)).toEqual({ 1: '["1","5"]', 2: '["6"]' });
    await b.runner.cleanup();
  });

  it('runs onTick before each checkpoint and commits what it changed; replayed() re-emits a recognised replay without changing state', async () => {
    ns++;
    class Expiring extends Counter {
      ticks = 0;
      onTick(c: StatefulOutputCollector): void {
        this.ticks++;
        if (this.state.delete('x')) c.emit(['x', 'expired']);
      }
      replayed(t: Tuple, c: StatefulOutputCollector): void {
        c.emit([t.getString(0), 'again']);
        if (t.getString(0) === 'sneaky') this.state.increment('sneaky');
      }
    }
    const bolt = new Expiring();
    const a = await drive(bolt, config(), { idField: 'n' });
    await a.send(tuple(['x', 1]));
    await a.send(tuple(['sneaky', 2]));
    await a.send(tick());
    expect(bolt.ticks).toBe(1);
    expect(await stored()).toEqual({ sneaky: '1' });
    await a.send(tuple(['x', 1]));
    await a.send(tuple(['sneaky', 2]));
    await a.send(tick());
    expect(a.collector.emitted.map((e) => e.values)).toEqual([['x', 1], ['sneaky', 1], ['x', 'expired'], ['x', 'again'], ['sneaky', 'again']]);
    expect(a.collector.emitted[2]!.anchors).toBeNull(); // a tick's emits are unanchored
    expect(a.collector.acked.map((t) => t.values)).toEqual([['x', 1], ['sneaky', 2], ['x', 1]]);
    expect(a.collector.failed.map((t) => t.values)).toEqual([['sneaky', 2]]);
    expect(a.collector.errors).toEqual(["bolt 'count': state changed ('sneaky') in replayed(): a recognised replay must not change the state"]);
    expect(await stored()).toEqual({ sneaky: '1' });
    await a.runner.cleanup();
  });

  it('keeps state in the thread, with a warning, when no Redis is configured', async () => {
    const a = await drive(new Counter(), { messageTimeoutMs: 3000 });
    expect(a.collector.errors[0]).toMatch(/no 'redis' in config: state checkpoints are kept in this thread's memory and are lost when the thread dies/);
    await a.send(tuple(['x']));
    await a.send(tick());
    expect(a.collector.acked).toHaveLength(1);
    await a.runner.cleanup();
  });
});
