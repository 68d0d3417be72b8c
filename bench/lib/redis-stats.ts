/**
 * Redis's own cost of a scenario, read from the server it ran against: CPU seconds (INFO cpu)
 * and calls and CPU per command (INFO commandstats, the commands scripts run included). Per
 * event these are the figures a shared machine does not stretch: Redis is one thread, and its
 * CPU is its work whatever else runs.
 */
import type { Redis } from 'ioredis';

/** used_cpu_user + used_cpu_sys of the server, seconds. */
export async function redisCpuSec(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const num = (k: string): number => Number(new RegExp(`${k}:([0-9.]+)`).exec(info)?.[1] ?? 0);
  return num('used_cpu_user') + num('used_cpu_sys');
}

/** Calls and CPU seconds per Redis command, costliest first (the first `n`). */
export async function redisCommandStats(redis: Redis, n = 12): Promise<Record<string, { calls: number; sec: number }>> {
  const out: Array<[string, { calls: number; sec: number }]> = [];
  for (const m of (await redis.info('commandstats')).matchAll(/cmdstat_([a-z|]+):calls=(\d+),usec=(\d+)/g)) {
    out.push([m[1]!, { calls: Number(m[2]), sec: Number(m[3]) / 1e6 }]);
  }
  return Object.fromEntries(out.sort((a, b) => b[1].sec - a[1].sec).slice(0, n));
}
