/**
 * Which checkpoint store a stateful bolt task uses, from the merged config, the same way
 * the view writer picks its store (speed/open-store.ts): `redisCluster` (set by `topo run
 * --redis-cluster`), else `redis` (a URL, set by `topo run` from --redis, REDIS_URL or its
 * private redis-server), else the in-process store, with a warning: its checkpoints die
 * with the thread. Config `stateStore: 'memory'` asks for it and silences the warning.
 */
import type { Config } from '../api/components.js';
import { parseClusterUrls, type RedisTarget } from '../speed/redis-client.js';
import { MemoryCheckpointStore, stateKeys, type CheckpointStore } from './checkpoint-store.js';
import { RedisCheckpointStore } from './redis-checkpoints.js';

export interface OpenedCheckpoints {
  readonly store: CheckpointStore;
  readonly warning?: string;
}

export interface TaskIdentity {
  readonly namespace: string;
  readonly component: string;
  readonly taskIndex: number;
}

export function openCheckpoints(config: Config, who: TaskIdentity): OpenedCheckpoints {
  const target = redisTargetOf(config);
  if (target === null) {
    const k = stateKeys(who.namespace, who.component, who.taskIndex);
    const store = new MemoryCheckpointStore(k.data);
    // Asked for (config stateStore: 'memory'): no warning. Otherwise say so, whatever views do.
    if (config['stateStore'] === 'memory') return { store };
    return { store, warning: "no 'redis' in config: state checkpoints are kept in this thread's memory and are lost when the thread dies or the process ends" };
  }
  const timeout = config['redisCommandTimeoutMs'];
  return {
    store: new RedisCheckpointStore(target, {
      ...who,
      ...(typeof timeout === 'number' ? { commandTimeoutMs: timeout } : {}),
    }),
  };
}

function redisTargetOf(config: Config): RedisTarget | null {
  const cluster = config['redisCluster'];
  if (cluster !== undefined && cluster !== null) {
    if (!Array.isArray(cluster) || cluster.length === 0 || !cluster.every((u) => typeof u === 'string')) {
      throw new Error(`config 'redisCluster' must be a non-empty list of node URLs (values not shown: they may hold passwords)`);
    }
    return { cluster: parseClusterUrls(cluster as string[]) };
  }
  const url = config['redis'];
  return typeof url === 'string' && url.length > 0 ? { url } : null;
}
