// Types of metric.mjs.
import type { RedisClient } from '../../src/speed/index.js';
export interface WindowLatency {
  readonly windows: number;
  /** Milliseconds (last update - window end); null without complete windows. */
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}
export declare function windowLatency(redis: Pick<RedisClient, 'hgetall'>, topology?: string): Promise<WindowLatency>;
