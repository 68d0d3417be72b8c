/**
 * Where and how pool threads write a batch version: the target (plain values, it crosses to
 * the pool thread by structured clone) and one ioredis client per thread and target.
 */
import { Redis, type RedisOptions } from 'ioredis';

/** Where a reducer writes. */
export interface VersionTarget {
  readonly redis: Pick<RedisOptions, 'host' | 'port' | 'username' | 'password' | 'db' | 'tls'>;
  readonly namespace: string;
  readonly batchId: number;
}

const clients = new Map<string, Redis>();

/** This thread's client of `t.redis`, with `setup` run once when it is made (e.g. defineCommand). */
export function clientOf(t: VersionTarget, setup?: (c: Redis) => void): Redis {
  const id = JSON.stringify(t.redis);
  let c = clients.get(id);
  if (c === undefined) {
    c = new Redis({ ...t.redis, maxRetriesPerRequest: 3 });
    // Errors reach the caller through its commands' promises; the event only needs a listener.
    c.on('error', () => {});
    clients.set(id, c);
  }
  setup?.(c);
  return c;
}

/** The first error of a pipeline's replies, thrown (ioredis resolves exec with per-command errors). */
export function checkReplies(replies: Array<[Error | null, unknown]> | null): void {
  if (replies === null) throw new Error('Redis pipeline was discarded');
  for (const [err] of replies) if (err !== null) throw err;
}
