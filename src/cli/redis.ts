/**
 * `topo redis status|stop`: the private redis-server of the current folder (see
 * src/speed/private-redis.ts), which stays up between commands until it has been idle for
 * TOPO_REDIS_IDLE_MS. `status` prints where it runs (exit 0) or that none runs (exit 1, so a
 * script can test for it); `stop` stops it (its data stays in ./.topo/redis) and says so.
 */
import { findPrivateRedis, idleMsOf, privateRedisDir, stopPrivateRedis } from '../speed/private-redis.js';
import { UsageError } from './options.js';

export async function redisCommand(action: string, flags: { json?: boolean }): Promise<number> {
  const cwd = process.cwd();
  const dir = privateRedisDir(cwd);
  if (action === 'status') {
    const r = await findPrivateRedis(cwd);
    if (flags.json) process.stdout.write(`${JSON.stringify(r === null ? { running: false, dir } : { running: true, url: r.url, pid: r.pid, dir, idleStopMs: idleMsOf() })}\n`);
    else if (r === null) process.stdout.write(`no private redis-server runs for ${dir}\n`);
    else process.stdout.write(`${r.url} (pid ${r.pid}, data in ${dir}; stops after ${Math.round(idleMsOf() / 60_000)} min without a client)\n`);
    return r === null ? 1 : 0;
  }
  if (action === 'stop') {
    const stopped = await stopPrivateRedis(cwd);
    process.stdout.write(stopped ? `stopped the private redis-server of ${dir} (its data stays)\n` : `no private redis-server runs for ${dir}\n`);
    return 0;
  }
  throw new UsageError(`topo redis: unknown action '${action}' (status, stop)`);
}
