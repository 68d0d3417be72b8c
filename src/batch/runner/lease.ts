/**
 * One batch run at a time per namespace: a lease in Redis (SET NX PX) naming its holder,
 * renewed while the run lives. A crashed run's lease ends by its TTL, so nobody has to clean
 * up by hand; a run that lost its lease (Redis restarted, paused past the TTL) must not
 * publish, which `check()` tells it before each publish.
 */
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { batchLeaseKey } from '../../views/keys.js';

export class LeaseBusyError extends Error {
  override readonly name = 'LeaseBusyError';
}

export interface Lease {
  readonly holder: string;
  /** Throws if the lease is no longer ours. */
  check(): Promise<void>;
  release(): Promise<void>;
}

export interface LeaseOptions {
  /** Lease lifetime without renewal (default 30 s); renewed every third of it. */
  readonly ttlMs?: number;
  /** How long to wait for a busy lease (default 0: fail at once). */
  readonly waitMs?: number;
  /** Who we are, shown to a run that finds the lease taken. */
  readonly holder?: string;
}

const RENEW_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export async function acquireLease(redis: Redis, namespace: string, options: LeaseOptions = {}): Promise<Lease> {
  const key = batchLeaseKey(namespace);
  const ttl = options.ttlMs ?? 30_000;
  const holder = options.holder ?? `topo batch pid ${process.pid} on ${hostname()} since ${new Date().toISOString()}`;
  const deadline = Date.now() + (options.waitMs ?? 0);
  for (;;) {
    if ((await redis.set(key, holder, 'PX', ttl, 'NX')) === 'OK') break;
    if (Date.now() >= deadline) {
      const [other, pttl] = await Promise.all([redis.get(key), redis.pttl(key)]);
      throw new LeaseBusyError(
        `another batch run holds the lease of namespace '${namespace}': ${other ?? '(just released)'}` +
          `${pttl > 0 ? ` (expires in ${Math.ceil(pttl / 1000)} s unless renewed)` : ''}; wait with --wait TIME or try again later`,
      );
    }
    await new Promise((r) => setTimeout(r, Math.min(250, Math.max(1, deadline - Date.now()))));
  }
  let lost = false;
  const timer = setInterval(() => {
    redis.eval(RENEW_LUA, 1, key, holder, String(ttl)).then((ok) => {
      if (Number(ok) !== 1) lost = true;
    }, () => {});
  }, Math.max(100, Math.floor(ttl / 3)));
  timer.unref();
  return {
    holder,
    async check() {
      if (lost || (await redis.get(key)) !== holder) {
        lost = true;
        throw new Error(`the batch lease of namespace '${namespace}' was lost (expired or taken over); not publishing`);
      }
    },
    async release() {
      clearInterval(timer);
      await redis.eval(RELEASE_LUA, 1, key, holder);
    },
  };
}
