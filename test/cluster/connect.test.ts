// Where views live when a cluster is asked for: the flag and the environment, what is refused
// (a database number, both kinds at once, a bad config value) and an unreachable cluster
// named without its password. A real cluster answers for the happy path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectViews } from '../../src/speed/connect.js';
import { openStore } from '../../src/speed/open-store.js';
import { parseClusterUrls } from '../../src/speed/redis-client.js';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { startRedis } from '../helpers/redis-server.js';

let cluster: RedisCluster;

beforeAll(async () => {
  cluster = await startRedisCluster();
}, 120_000);

afterAll(async () => {
  await cluster?.dispose();
});

describe('--redis-cluster and REDIS_CLUSTER_URLS', () => {
  it('parses comma-separated and repeated node lists, and refuses what a cluster cannot be', () => {
    expect(parseClusterUrls(['redis://a:1, redis://b:2', 'rediss://u:p@c:3'])).toEqual(['redis://a:1', 'redis://b:2', 'rediss://u:p@c:3']);
    expect(() => parseClusterUrls('redis://u:pw@a:1/2')).toThrow(/cluster node 'redis:\/\/u:\*\*\*@a:1\/2': a Redis Cluster has only database 0/);
    expect(() => parseClusterUrls('http://a:1')).toThrow(/not a Redis URL: 'http:\/\/a:1\/?' \(scheme must be/);
    expect(() => parseClusterUrls(' , ')).toThrow(/at least one node URL/);
    expect(() => openStore({ redisCluster: 'redis://u:secret@a:1' }, 'ns')).toThrow(/'redisCluster' must be a non-empty list of node URLs, got string/);
  });

  it('connects through any one node, from the flag or the environment, and hands the node list to the writers', async () => {
    const flag = await connectViews({ cluster: cluster.urls[2]!, env: {} });
    expect(flag.mode).toBe('cluster');
    expect(flag.config).toEqual({ redisCluster: [cluster.urls[2]] });
    expect(flag.display).toMatch(new RegExp(`^${cluster.urls[2]}/? \\(Redis Cluster\\)$`));
    const env = await connectViews({ env: { REDIS_CLUSTER_URLS: cluster.urls.join(',') } });
    expect(env.config).toEqual({ redisCluster: cluster.urls });
    // A flag beats the environment, whatever kind it is.
    const url = await connectViews({ url: cluster.urls[0]!, env: { REDIS_CLUSTER_URLS: 'redis://127.0.0.1:1' } });
    expect(url.mode).toBe('url');
  });

  it('refuses both kinds at once, and names an unreachable cluster with passwords masked', async () => {
    await expect(connectViews({ url: cluster.urls[0]!, cluster: cluster.urls[1]!, env: {} })).rejects.toThrow(/--redis or --redis-cluster, not both/);
    await expect(connectViews({ env: { REDIS_URL: cluster.urls[0]!, REDIS_CLUSTER_URLS: cluster.urls[1]! } })).rejects.toThrow(/both REDIS_URL and REDIS_CLUSTER_URLS are set/);
    const err = await connectViews({ cluster: 'redis://u:hunter2@127.0.0.1:1,redis://127.0.0.1:2', env: {}, redisTimeoutMs: 500 }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^cannot reach Redis Cluster at redis:\/\/u:\*\*\*@127\.0\.0\.1:1\/?,redis:\/\/127\.0\.0\.1:2\/? within 500 ms: /);
    expect((err as Error).message).not.toContain('hunter2');
  });

  it('gives up on a cluster node whose cluster is not ok (no slots assigned), naming why', async () => {
    const lone = await startRedis({ args: ['--cluster-enabled', 'yes', '--cluster-config-file', join(tmpdir(), `topo-lone-${process.pid}-${Date.now()}.conf`)] });
    try {
      expect(lone.url).toMatch(/^redis:/);
      const err = await connectViews({ cluster: lone.url, env: {}, redisTimeoutMs: 800 }).then(() => null, (e: unknown) => e as Error);
      expect(err?.message).toMatch(new RegExp(`^cannot reach Redis Cluster at ${lone.url}/? within 800 ms: .+`));
    } finally {
      await lone.dispose();
    }
  });
});
