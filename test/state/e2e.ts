// Shared by the end-to-end state tests: the fixtures' paths and the committed counts of a
// component's tasks read straight from Redis (the oracle is compared with what was committed).
import { Redis } from 'ioredis';
import { stateKeys } from '../../src/state/checkpoint-store.js';

export const stateFixture = (name: string): string => new URL(`../fixtures/state/${name}`, import.meta.url).pathname;

/** key -> count over every task of `component`, failing on a key held by two tasks. */
export async function committedCounts(url: string, namespace: string, component: string, tasks: number): Promise<Map<string, number>> {
  const client = new Redis(url);
  try {
    const out = new Map<string, number>();
    for (let i = 0; i < tasks; i++) {
      for (const [k, v] of Object.entries(await client.hgetall(stateKeys(namespace, component, i).data))) {
        if (out.has(k)) throw new Error(`key '${k}' is held by two tasks`);
        out.set(k, JSON.parse(v) as number);
      }
    }
    return out;
  } finally {
    client.disconnect();
  }
}

export function oracle(keys: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

export const sorted = (m: Map<string, number>): Array<[string, number]> => [...m].sort(([a], [b]) => a.localeCompare(b));
