/**
 * The stream spout over a Redis Cluster (three masters on loopback, the cluster engineer's
 * harness): with only `redisCluster` in the config (what --redis-cluster gives) it reads,
 * acks, and dead-letters through the cluster client, the dead-letter stream living in
 * another slot than the stream. Plus the order in which the stream's Redis is chosen.
 */
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { streamTarget } from '../../src/spouts/stream-connect.js';
import { safeTrim } from '../../src/spouts/stream-trim.js';
import { SpoutDriver, until } from './spout-harness.js';
import { SHIPPED_LOG, topoIn } from '../pageviews-e2e/harness.js';

let cluster: RedisCluster;
let c: Cluster;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  c = new Cluster(cluster.urls.map((u) => ({ host: '127.0.0.1', port: Number(new URL(u).port) })));
}, 120_000);
afterAll(async () => {
  c?.disconnect();
  await cluster?.dispose();
});

describe('stream spout on a Redis Cluster', () => {
  it('reads, acks and dead-letters through the cluster client; trim works on the stream slot', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await c.xadd('events', '*', 'line', `l${i}`))!);
    await c.xadd('events', '*', 'nope', 'x'); // no payload field: dead letter
    const d = new SpoutDriver({ redisCluster: cluster.urls, stream: 'events', group: 'g', 'stream.start': '0' });
    try {
      await d.open();
      await until('20 emitted', () => d.emitted.length === 20);
      expect(d.emitted.map((e) => e.msgId)).toEqual(ids);
      for (const e of d.emitted) d.ack(e.msgId);
      await until('all acked', async () => Number(((await c.xpending('events', 'g')) as [number])[0]) === 0);
      expect(await c.xlen('events:dead')).toBe(1);
    } finally {
      await d.close();
    }
    const t = await safeTrim(c, 'events');
    expect(t).toMatchObject({ removed: 21, length: 0 });
  });
});

describe('topo produce and topo trim with --redis-cluster', () => {
  it('append to and trim a stream in the cluster', async () => {
    const p = await topoIn(['produce', SHIPPED_LOG, '--stream', 'log', '--format', 'apache', '--redis-cluster', cluster.urls.join(','), '--json', '-q']);
    expect(p.code, p.stderr).toBe(0);
    expect(await c.xlen('log')).toBe(9977);
    await c.xgroup('CREATE', 'log', 'g', '0');
    await c.xreadgroup('GROUP', 'g', 'x', 'COUNT', 100, 'STREAMS', 'log', '>');
    const t = await topoIn(['trim', '--stream', 'log', '--redis-cluster', cluster.urls[1]!]);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/removed 0 entries below/); // the 100 read are pending
    expect(await c.xlen('log')).toBe(9977);
  }, 120_000);
});

describe('which Redis holds the stream', () => {
  it('stream.redis, else redis, else redisCluster; none is an error', () => {
    expect(streamTarget({ 'stream.redis': 'redis://a:1', redis: 'redis://b:2', redisCluster: ['redis://c:3'] }).urls).toEqual(['redis://a:1']);
    expect(streamTarget({ redis: 'redis://b:2', redisCluster: ['redis://c:3'] })).toMatchObject({ kind: 'url', urls: ['redis://b:2'] });
    expect(streamTarget({ redisCluster: ['redis://c:3', 'redis://d:4'] })).toMatchObject({ kind: 'cluster', urls: ['redis://c:3', 'redis://d:4'] });
    expect(streamTarget({ redisCluster: 'redis://c:3,redis://d:4' }).kind).toBe('cluster');
    expect(() => streamTarget({})).toThrow(/no Redis for the stream/);
    expect(() => streamTarget({ redis: 'http://x' })).toThrow(/not a Redis URL/);
    expect(() => streamTarget({ redis: 'redis://u:secret@h:1/x' })).toThrow(/\*\*\*/);
  });
});
