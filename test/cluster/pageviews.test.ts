// The pageviews pipeline over the shipped log, run by the real CLI twice: into a three-master
// Redis Cluster (--redis-cluster) and into one redis-server (--redis). Both must hold the same
// keys (one schema) with the same values, the cluster's spread over every node, and
// topo query/top/keys must answer the same through either.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { assertBuilt, tempDir } from '../cli/run-cli.js';
import { cleanEnv, lastJson, PAGEVIEWS, topoIn, type RunSummaryJson } from '../pageviews-e2e/harness.js';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

let cluster: RedisCluster;
let single: RedisServer;
let tmp: { dir: string; remove: () => void };
const env = (): NodeJS.ProcessEnv => {
  const e = cleanEnv();
  delete e['REDIS_CLUSTER_URLS'];
  return e;
};

beforeAll(async () => {
  assertBuilt();
  tmp = tempDir('cluster');
  [cluster, single] = await Promise.all([startRedisCluster(), startRedis()]);
}, 120_000);

afterAll(async () => {
  await cluster?.dispose();
  await single?.dispose();
  tmp?.remove();
});

type Dump = Map<string, string>;
/** The single-Redis run's keys, the reference of the replay test. */
let reference: Dump | null = null;

/** Every key under topo:pageviews: with its value in a comparable form (HyperLogLogs by their count). */
async function dump(clients: readonly Redis[], pattern = 'topo:pageviews:*'): Promise<Dump> {
  const out: Dump = new Map();
  for (const r of clients) {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await r.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    for (const k of keys) {
      const type = await r.type(k);
      let v: unknown;
      if (type === 'hash') v = Object.entries(await r.hgetall(k)).sort();
      // The realtime coverage record's scores are wall-clock expiries of each run's first
      // write in a bucket: two runs agree on the buckets it vouches for, not on those times.
      else if (type === 'zset' && k.endsWith(':realtime')) v = await r.zrange(k, '0', '-1');
      else if (type === 'zset') v = await r.zrange(k, '0', '-1', 'WITHSCORES');
      else if (type === 'set') v = (await r.smembers(k)).sort();
      else {
        const s = await r.get(k);
        v = s !== null && s.startsWith('HYLL') ? `hll:${await r.pfcount(k)}` : s;
      }
      out.set(k, JSON.stringify(v));
    }
  }
  return out;
}

describe('pageviews views in a Redis Cluster', () => {
  it('equal the same run into one redis-server, key for key, spread over every node; query/top/keys agree', async () => {
    const run = (where: string[], tag: string): ReturnType<typeof topoIn> => topoIn(
      ['run', PAGEVIEWS, ...where, '-q', '--json', '-c', `master=${join(tmp.dir, `master-${tag}`)}`, '-c', `rejects=${join(tmp.dir, `rejects-${tag}.jsonl`)}`],
      { env: env(), timeoutMs: 240_000 },
    );
    const [rc, rs] = await Promise.all([run(['--redis-cluster', cluster.urls.join(',')], 'c'), run(['--redis', single.url], 's')]);
    for (const r of [rc, rs]) {
      expect(r.code, r.stderr.slice(-2000)).toBe(0);
      const s = lastJson<RunSummaryJson>(r);
      expect(s.status).toBe('completed');
      expect(s.spouts['lines']!.acked).toBe(10_000);
    }
    const nodes = cluster.ports.map((port) => new Redis({ host: '127.0.0.1', port }));
    const one = new Redis(single.url);
    try {
      const perNode = await Promise.all(nodes.map((n) => dump([n])));
      // Spread: every master holds views' keys, and no key is on two nodes.
      for (const d of perNode) expect(d.size).toBeGreaterThan(100);
      const inCluster: Dump = new Map(perNode.flatMap((d) => [...d]));
      expect(inCluster.size).toBe(perNode.reduce((a, d) => a + d.size, 0));
      const inSingle = await dump([one]);
      reference = inSingle;
      expect(inSingle.size).toBeGreaterThan(1000);
      expect([...inCluster.keys()].sort()).toEqual([...inSingle.keys()].sort());
      const differ = [...inSingle].filter(([k, v]) => inCluster.get(k) !== v).map(([k, v]) => `${k}: single ${v} cluster ${inCluster.get(k)}`);
      expect(differ).toEqual([]);
      // Cells with keys of their own (uniques, bounces) under {<view>:<key>}; a count view's under {<view>}, its buckets' top ZSETs.
      for (const view of ['uniques', 'bounces']) {
        expect([...inCluster.keys()].some((k) => k.startsWith(`topo:pageviews:${view}:v1:{${view}:`)), view).toBe(true);
      }
      expect([...inCluster.keys()].some((k) => k.startsWith('topo:pageviews:pageviews:v1:{pageviews}:top:'))).toBe(true);
    } finally {
      for (const n of nodes) n.disconnect();
      one.disconnect();
    }

    // The serving layer over the cluster answers as over one Redis.
    const ask = async (args: string[]): Promise<[unknown, unknown]> => {
      const [c, s] = await Promise.all([
        topoIn([...args, '--json', '--redis-cluster', cluster.urls[1]!], { env: env() }),
        topoIn([...args, '--json', '--redis', single.url], { env: env() }),
      ]);
      expect(c.code, c.stderr).toBe(0);
      expect(s.code, s.stderr).toBe(0);
      return [lastJson(c), lastJson(s)];
    };
    const range = ['--from', '2015-05-17', '--to', '2015-05-21'];
    for (const args of [
      ['top', 'pageviews', '-n', '10', ...range],
      ['top', 'uniques', '-n', '5', ...range],
      ['query', 'pageviews', 'http://semicomplete.com/', ...range],
      ['query', 'uniques', 'http://semicomplete.com/', ...range],
      ['query', 'bounces', 'semicomplete.com', ...range],
      ['keys', 'bounces'],
    ]) {
      const [c, s] = await ask(args);
      expect(c, args.join(' ')).toEqual(s);
    }
    const [top] = await ask(['top', 'pageviews', '-n', '3', ...range]);
    expect((top as { top: { score: number }[] }).top[0]!.score).toBeGreaterThan(100);
  }, 300_000);

  it('exactly-once pageviews with 20% of writes replayed: every cell and every top score equals the clean run', async () => {
    expect(reference).not.toBeNull();
    const r = await topoIn(['run', PAGEVIEWS, '--redis-cluster', cluster.urls.join(','), '-q', '--json',
      // The hook fails inputs with collector.fail: replay them forever and at once, as a test of
      // replays must (by default a line failed 5 times in a row is dead-lettered).
      '-c', 'viewNamespace=pveo', '-c', 'exactlyOnce=["pageviews"]', '-c', 'failAfterWriteRate=0.2',
      '-c', 'input.maxAttempts=0', '-c', 'input.retryDelayMs=0',
      '-c', `master=${join(tmp.dir, 'master-eo')}`, '-c', `rejects=${join(tmp.dir, 'rejects-eo.jsonl')}`], { env: env(), timeoutMs: 240_000 });
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const s = lastJson<RunSummaryJson>(r);
    expect(s.status).toBe('completed');
    expect(s.spouts['lines']!.replayed).toBeGreaterThan(100);
    const nodes = cluster.ports.map((port) => new Redis({ host: '127.0.0.1', port }));
    try {
      const got = await dump(nodes, 'topo:pveo:pageviews:*');
      const want = [...reference!].filter(([k]) => k.startsWith('topo:pageviews:pageviews:'));
      // A count view's cells are its buckets' top ZSETs: one key per hour of the log, compared member for member.
      expect(want.length).toBeGreaterThan(50);
      const differ = want.filter(([k, v]) => got.get(k.replace('topo:pageviews:', 'topo:pveo:')) !== v).map(([k, v]) => `${k}: ${v} != ${got.get(k.replace('topo:pageviews:', 'topo:pveo:'))}`);
      expect(differ.slice(0, 10)).toEqual([]);
      // Besides the same keys, only the id sets of the exactly-once view (and a late counter: replays arrive late).
      const extra = [...got.keys()].filter((k) => !reference!.has(k.replace('topo:pveo:', 'topo:pageviews:')));
      expect(extra.length).toBeGreaterThan(0);
      expect(extra.filter((k) => !/:ids(:|$)/.test(k) && !k.endsWith(':late'))).toEqual([]); // replays arrive late
    } finally {
      for (const n of nodes) n.disconnect();
    }
  }, 300_000);

  it('refuses topo batch into a cluster, and names an unreachable cluster without its password', async () => {
    const b = await topoIn(['batch', PAGEVIEWS, '--redis-cluster', cluster.urls[0]!, '--master', join(tmp.dir, 'none')], { env: env() });
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/cannot publish into a Redis Cluster yet/);
    const q = await topoIn(['keys', 'pageviews', '--redis-cluster', 'redis://u:s3cret@127.0.0.1:1,redis://127.0.0.1:2', '--redis-timeout', '600ms'], { env: env() });
    expect(q.code).toBe(1);
    expect(q.stderr).toMatch(/cannot reach Redis Cluster at redis:\/\/u:\*\*\*@127\.0\.0\.1:1\/?,redis:\/\/127\.0\.0\.1:2\/? within 600 ms/);
    expect(q.stderr).not.toContain('s3cret');
    const both = await topoIn(['keys', 'pageviews', '--redis-cluster', cluster.urls[0]!, '--redis', single.url], { env: env() });
    expect(both.code).not.toBe(0);
    expect(both.stderr).toMatch(/--redis or --redis-cluster, not both/);
  }, 120_000);
});
