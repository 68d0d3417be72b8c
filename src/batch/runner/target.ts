/**
 * Where pool threads write a batch version (plain values: it crosses to the pool thread by
 * structured clone). They write through resp.ts, one connection per writing view and task.
 */
import type { RedisOptions } from 'ioredis';

export interface VersionTarget {
  readonly redis: Pick<RedisOptions, 'host' | 'port' | 'username' | 'password' | 'db' | 'tls'>;
  readonly namespace: string;
  readonly batchId: number;
}
