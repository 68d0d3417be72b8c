/**
 * The application's own Redis work, beside the views: the benchmark's setup (the ad ->
 * campaign table), the run's parameters (what the check needs to regenerate the events),
 * the per-thread ad cache, and each window's last-update time (the benchmark's latency).
 *
 * One client per worker thread, shared by its tasks (builder.addSharedResource). A shared
 * resource's `create` gets no config, so the resource opens its client on the first task's
 * request, with the URL from that task's config.
 */
import { openClient, type RedisClient } from '../../src/speed/index.js';
import type { Config } from '../../src/index.js';

export { AD_KEY, RUN_KEY, writeSetup } from './setup.mjs';
import { RUN_KEY, UPDATED_PREFIX } from './setup.mjs';
export const UPDATED_KEY = (topology: string): string => `${UPDATED_PREFIX}${topology}`;

export const RESOURCE = 'ysb-redis';

/** The per-thread resource: one Redis client and the ad -> campaign cache. */
export class YsbThread {
  private client: RedisClient | null = null;
  /** ad -> campaign, or null for an ad Redis does not know (so a bad ad costs one lookup). */
  readonly ads = new Map<string, string | null>();

  redis(config: Config): RedisClient {
    if (this.client !== null) return this.client;
    const cluster = config['redisCluster'];
    // Queued while connecting: the first tasks' commands wait for the connection instead of
    // failing at once (the views' own clients fail fast and retry; these have no retry loop
    // of their own, and a command still unanswered after 10 s fails and its tuple replays).
    const o = { redisOptions: { enableOfflineQueue: true } };
    if (Array.isArray(cluster)) this.client = openClient({ cluster: cluster as string[] }, o);
    else if (typeof config['redis'] === 'string') this.client = openClient({ url: config['redis'] }, o);
    else throw new Error("ysb needs Redis for its ad -> campaign table (no 'redis' in config; give --redis URL, or install redis-server)");
    return this.client;
  }

  async close(): Promise<void> {
    await this.client?.quit().catch(() => undefined);
  }
}

/** What one generator task of a run has done: with the other tasks' records, enough to regenerate every event the run emitted. */
export interface RunRecord {
  readonly seed: number;
  readonly start: number;
  readonly rate: number;
  readonly skew: boolean;
  /** Generator tasks in the run, and this one's index: task i emits event numbers i, i + k, ... */
  readonly tasks: number;
  readonly task: number;
  /** The next event number this task would emit (every earlier one of its own was emitted at least once). */
  readonly next: number;
}

/** HSETs this task's part of the run record (gen.mjs's emittedOf reads the whole). */
export async function writeRun(redis: RedisClient, run: RunRecord, key = RUN_KEY): Promise<void> {
  await redis.hset(key, {
    seed: run.seed, start: run.start, rate: run.rate, skew: String(run.skew), tasks: run.tasks, [`next:${run.task}`]: run.next,
    ...(run.tasks === 1 ? { generated: run.next } : {}),
  });
}

/** HSET each field only if its time is later than the one kept: last-update times never go back. */
const MAX_HSET = `for i = 1, #ARGV, 2 do
  local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0')
  if tonumber(ARGV[i + 1]) > cur then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return 0`;

export async function writeLastUpdates(redis: RedisClient, key: string, times: ReadonlyMap<string, number>): Promise<void> {
  if (times.size === 0) return;
  const args: string[] = [];
  for (const [field, ms] of times) args.push(field, String(ms));
  await redis.eval(MAX_HSET, 1, key, ...args);
}
