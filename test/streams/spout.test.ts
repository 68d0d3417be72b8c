/**
 * The Redis stream spout against a real redis-server: acks become (batched) XACKs, failures
 * re-emit, a dead consumer's entries are claimed, poison entries go to the dead letters and
 * are acked, maxSpoutPending bounds what is read, an idle spout does not spin, and the
 * idle exit waits for the whole group.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { addLines, commandCalls, pendingOf, SpoutDriver, until } from './spout-harness.js';

let server: RedisServer;
let r: Redis;
const open: SpoutDriver[] = [];
let n = 0;

beforeAll(async () => {
  server = await startRedis();
  r = new Redis(server.url);
});
afterEach(async () => {
  for (const d of open.splice(0)) await d.close();
});
afterAll(async () => {
  r?.disconnect();
  await server?.dispose();
});

async function driver(config: Record<string, unknown>): Promise<SpoutDriver> {
  const d = new SpoutDriver({ redis: server.url, group: 'g', 'stream.start': '0', ...config });
  open.push(d);
  await d.open();
  return d;
}

const fresh = (): string => `s${++n}`;

describe('RedisStreamSpout', () => {
  it('emits each entry with its entry id as message id and XACKs it only when acked, in batched XACKs', async () => {
    const stream = fresh();
    const ids = await addLines(r, stream, 200);
    const d = await driver({ stream, consumer: 'c1', 'stream.ackWindowMs': 50 });
    await until('200 emitted', () => d.emitted.length === 200);
    expect(d.emitted.map((e) => e.msgId)).toEqual(ids);
    expect(d.emitted[0]!.values).toEqual(['line-0', ids[0]]); // no `id` field: the entry id is the event id
    expect((await pendingOf(r, stream, 'g')).count).toBe(200);
    await r.config('RESETSTAT');
    for (const e of d.emitted.slice(0, 150)) d.ack(e.msgId);
    await until('150 acked in Redis', async () => (await pendingOf(r, stream, 'g')).count === 50);
    const calls = await commandCalls(r);
    // 150 acks within one window: a handful of XACK calls, not 150.
    expect(calls['xack'] ?? 0).toBeGreaterThan(0);
    expect(calls['xack']).toBeLessThanOrEqual(5);
    const left = await r.xpending(stream, 'g', '-', '+', 100) as [string][];
    expect(left.map((x) => x[0])).toEqual(ids.slice(150));
  });

  it('re-emits a failed entry, which stays pending until its tree completes', async () => {
    const stream = fresh();
    const [id] = await addLines(r, stream, 1);
    const d = await driver({ stream, consumer: 'c1' });
    await until('emitted once', () => d.emitted.length === 1);
    d.fail(id!);
    await until('emitted again', () => d.emitted.length === 2);
    expect(d.emitted[1]!.msgId).toBe(id);
    expect((await pendingOf(r, stream, 'g')).count).toBe(1);
    d.ack(id!);
    await until('acked', async () => (await pendingOf(r, stream, 'g')).count === 0);
    expect(d.emitted.length).toBe(2);
  });

  it("claims a dead consumer's pending entries after the idle time, processes them, and removes the idle consumer", async () => {
    const stream = fresh();
    const ids = await addLines(r, stream, 5);
    await r.xgroup('CREATE', stream, 'g', '0');
    await r.xreadgroup('GROUP', 'g', 'dead', 'COUNT', 5, 'STREAMS', stream, '>'); // read, never acked
    const d = await driver({ stream, consumer: 'alive', 'stream.claimIdleMs': 300, 'stream.consumerIdleMs': 600 });
    await until('claimed and emitted', () => d.emitted.length === 5);
    expect(d.emitted.map((e) => e.msgId).sort()).toEqual([...ids].sort());
    expect((await pendingOf(r, stream, 'g')).consumers).toEqual({ alive: 5 });
    expect(d.spout.stats.claimed).toBe(5);
    for (const e of d.emitted) d.ack(e.msgId);
    await until('all acked', async () => (await pendingOf(r, stream, 'g')).count === 0);
    // 'dead' now holds nothing and stays idle: the sweep removes it; 'alive' stays.
    await until('dead consumer removed', async () => {
      const cs = (await r.xinfo('CONSUMERS', stream, 'g')) as unknown[][];
      return cs.length === 1 && cs[0]![1] === 'alive';
    });
  });

  it('moves an entry that failed maxAttempts times to the dead-letter stream with the reason, and acks it', async () => {
    const stream = fresh();
    const [bad, good] = await addLines(r, stream, 2);
    const d = await driver({ stream, consumer: 'c1', 'stream.maxAttempts': 3 });
    await until('both emitted', () => d.emitted.length === 2);
    d.ack(good!);
    for (let i = 1; i <= 3; i++) {
      await until(`attempt ${i}`, () => d.emitted.filter((e) => e.msgId === bad).length === i);
      d.fail(bad!);
    }
    await until('dead-lettered', async () => (await r.xlen(`${stream}:dead`)) === 1);
    const [[, fields]] = (await r.xrange(`${stream}:dead`, '-', '+')) as [string, string[]][];
    const f = Object.fromEntries(fields!.reduce<[string, string][]>((a, v, i, all) => (i % 2 === 0 ? [...a, [v, all[i + 1]!]] : a), []));
    expect(f).toMatchObject({ 'dl.stream': stream, 'dl.id': bad, 'dl.group': 'g', 'dl.attempts': '3', line: 'line-0' });
    expect(f['dl.reason']).toMatch(/failed 3 times/);
    await until('nothing pending', async () => (await pendingOf(r, stream, 'g')).count === 0);
    expect(d.emitted.filter((e) => e.msgId === bad).length).toBe(3);
    // Reported once the spout's own client has the dead-letter call's reply, which can come
    // after this test's client already sees the entry moved.
    await until('reported', () => d.errors.some((e) => e.includes(`entry ${bad} moved to '${stream}:dead'`)));
  });

  it('dead-letters a claimed entry whose delivery count says it was tried too often, without emitting it', async () => {
    const stream = fresh();
    const [poison] = await addLines(r, stream, 1);
    await r.xgroup('CREATE', stream, 'g', '0');
    await r.xreadgroup('GROUP', 'g', 'x1', 'STREAMS', stream, '>');
    // Three more consumers took it over and died too: delivery count 4.
    for (const c of ['x2', 'x3', 'x4']) await r.xclaim(stream, 'g', c, 0, poison!);
    const d = await driver({ stream, consumer: 'c1', 'stream.claimIdleMs': 100, 'stream.maxAttempts': 3 });
    await until('dead-lettered', async () => (await r.xlen(`${stream}:dead`)) === 1);
    await until('nothing pending', async () => (await pendingOf(r, stream, 'g')).count === 0);
    expect(d.emitted).toEqual([]);
    const [[, fields]] = (await r.xrange(`${stream}:dead`, '-', '+')) as [string, string[]][];
    expect(fields!.join(' ')).toMatch(/dl\.reason delivered 5 times without an ack/);
  });

  it('dead-letters an entry without the payload field at once', async () => {
    const stream = fresh();
    const odd = await r.xadd(stream, '*', 'other', 'x');
    const d = await driver({ stream, consumer: 'c1' });
    await until('dead-lettered', async () => (await r.xlen(`${stream}:dead`)) === 1);
    expect(d.emitted).toEqual([]);
    // The XACK follows the dead-letter XADD (stream-ops.ts deadLetter), so it may land just after.
    await until('nothing pending', async () => (await pendingOf(r, stream, 'g')).count === 0);
    const [[, fields]] = (await r.xrange(`${stream}:dead`, '-', '+')) as [string, string[]][];
    expect(fields).toContain(odd);
    expect(fields!.join(' ')).toMatch(/no field 'line' \(fields: other\)/);
  });

  it('reads no more than maxSpoutPending entries ahead of its acks', async () => {
    const stream = fresh();
    await addLines(r, stream, 30);
    const d = await driver({ stream, consumer: 'c1', maxSpoutPending: 5, 'stream.batch': 100 });
    await until('5 emitted', () => d.emitted.length === 5);
    await new Promise((res) => setTimeout(res, 300));
    expect(d.emitted.length).toBe(5);
    expect((await pendingOf(r, stream, 'g')).count).toBe(5);
    for (const e of d.emitted.slice()) d.ack(e.msgId);
    await until('next 5 emitted', () => d.emitted.length === 10);
  });

  it('does not busy-wait on an idle stream (a bounded number of commands per second) and wakes for a new entry', async () => {
    const stream = fresh();
    const d = await driver({ stream, consumer: 'c1', 'stream.blockMs': 500, 'stream.claimIdleMs': 60_000 });
    await new Promise((res) => setTimeout(res, 300));
    await r.config('RESETSTAT');
    await new Promise((res) => setTimeout(res, 1500));
    const calls = await commandCalls(r);
    delete calls['config'];
    delete calls['info'];
    const total = Object.values(calls).reduce((a, b) => a + b, 0);
    expect(d.nextTupleCalls).toBeGreaterThan(100); // polled all along, as the runtime does
    expect(calls['xreadgroup'] ?? 0).toBeGreaterThan(0); // reading, blocked...
    expect(total, JSON.stringify(calls)).toBeLessThanOrEqual(8); // ...not spinning: ~3 blocked reads in 1.5 s
    const id = await r.xadd(stream, '*', 'line', 'late');
    await until('new entry emitted', () => d.emitted.length === 1, 5000);
    expect(d.emitted[0]!.msgId).toBe(id);
  });

  it('with idleExitMs, is exhausted only once the whole group holds nothing', async () => {
    const stream = fresh();
    await addLines(r, stream, 2);
    await r.xgroup('CREATE', stream, 'g', '0');
    await r.xreadgroup('GROUP', 'g', 'other', 'COUNT', 1, 'STREAMS', stream, '>'); // another live consumer holds one
    const d = await driver({ stream, consumer: 'c1', 'stream.idleExitMs': 200, 'stream.blockMs': 100 });
    await until('emitted', () => d.emitted.length === 1);
    d.ack(d.emitted[0]!.msgId);
    await new Promise((res) => setTimeout(res, 800));
    expect(d.spout.isExhausted()).toBe(false); // 'other' still holds an entry
    const [[id]] = (await r.xpending(stream, 'g', '-', '+', 10)) as [string][];
    await r.xack(stream, 'g', id!);
    await until('exhausted', () => d.spout.isExhausted(), 5000);
  });

  it('under a fixed consumer name, takes up its own pending entries at once after a restart', async () => {
    const stream = fresh();
    const ids = await addLines(r, stream, 3);
    await r.xgroup('CREATE', stream, 'g', '0');
    await r.xreadgroup('GROUP', 'g', 'fixed', 'COUNT', 2, 'STREAMS', stream, '>'); // the previous run read 2, then died
    const d = await driver({ stream, consumer: 'fixed', 'stream.claimIdleMs': 600_000 });
    await until('all 3 emitted', () => d.emitted.length === 3);
    expect(d.emitted.map((e) => e.msgId)).toEqual(ids);
    expect(d.spout.stats.claimed).toBe(0); // its own history, not a claim
  });

  it('removes its own consumer when it closes holding nothing, and keeps it when it holds entries', async () => {
    const stream = fresh();
    await addLines(r, stream, 2);
    const consumers = async (): Promise<string[]> => ((await r.xinfo('CONSUMERS', stream, 'g')) as unknown[][]).map((c) => c[1] as string);
    const a = await driver({ stream, consumer: 'a' });
    await until('emitted', () => a.emitted.length === 2);
    a.ack(a.emitted[0]!.msgId);
    await a.close();
    open.splice(open.indexOf(a), 1);
    expect(await consumers()).toEqual(['a']); // holds the second entry: left for a claim
    const b = await driver({ stream, consumer: 'b', 'stream.claimIdleMs': 100 });
    await until('claimed', () => b.emitted.length === 1);
    b.ack(b.emitted[0]!.msgId);
    await until('acked', async () => (await pendingOf(r, stream, 'g')).count === 0);
    await b.close();
    open.splice(open.indexOf(b), 1);
    expect(await consumers()).toEqual(['a']); // 'b' removed itself; 'a' goes when idle long enough
  });

  it('refuses bad options with the key named', async () => {
    await expect(driver({ stream: undefined })).rejects.toThrow(/config 'stream' must name a Redis stream/);
    await expect(driver({ stream: 'x', 'stream.start': 'soon' })).rejects.toThrow(/config 'stream.start' must be \$/);
    await expect(driver({ stream: 'x', 'stream.batch': 0 })).rejects.toThrow(/config 'stream.batch' must be an integer >= 1/);
    await expect(driver({ stream: 'x', redis: undefined })).rejects.toThrow(/no Redis for the stream/);
    open.length = 0; // none of them opened
  });
});
