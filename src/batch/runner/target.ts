/**
 * Where a batch version is written (plain values: it crosses to the pool threads by
 * structured clone, which encode the commands; compute.ts sends them over one connection).
 */
import type { RedisOptions } from 'ioredis';

export interface VersionTarget {
  readonly redis: Pick<RedisOptions, 'host' | 'port' | 'username' | 'password' | 'db' | 'tls'>;
  readonly namespace: string;
  readonly batchId: number;
}
