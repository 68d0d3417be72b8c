/**
 * The batch tests' Redis: one real redis-server per test file (or describe block) and a client
 * to it, started before its tests and disposed after them. Read `db.redis` and `db.server`
 * inside tests only: they are set by the beforeAll hook this registers.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

export interface TestRedis {
  readonly redis: Redis;
  readonly server: RedisServer;
}

export function useRedis(): TestRedis {
  let server: RedisServer | undefined;
  let redis: Redis | undefined;
  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.port, '127.0.0.1');
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.dispose();
  });
  const unset = (): never => {
    throw new Error('useRedis: read db.redis / db.server inside a test, after beforeAll');
  };
  return {
    get redis() {
      return redis ?? unset();
    },
    get server() {
      return server ?? unset();
    },
  };
}
