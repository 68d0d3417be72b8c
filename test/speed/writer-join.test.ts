/**
 * Issue 12 item 7 (memory grew with the input): the view writer's `execute` returned its flush
 * loop's promise to every input that arrived while a flush was in flight, and the runtime
 * attaches a reaction to each promise an execute returns (to count the thread busy and fail
 * that input on a rejection), a closure holding the input tuple. Under steady input the loop
 * never settles (it drains what arrived during each write), so every tuple ever executed
 * stayed reachable: 285 k tuples and as many promise reactions on one thread after 400 k lines
 * of the pageviews replay. The contract: a flush loop's promise goes to the runtime once, from
 * the execute (or tick) that started it. Real redis-server; the collector is a recorder.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutputCollector } from '../../src/api/collectors.js';
import type { TopologyContext } from '../../src/api/context.js';
import type { Tuple } from '../../src/api/tuple.js';
import { PAGEVIEW_VIEWS } from '../../topologies/pageviews/views.js';
import { viewWriter } from '../../src/speed/view-writer-bolt.js';
import { Cells } from '../pageviews-e2e/harness.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.dispose();
});

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1, 10);

function input(i: number): Tuple {
  const updates = [{ view: 'pageviews', key: `http://j.example/p${i % 7}`, bucket: T0, time: T0 + i, id: `e${i}`, n: 1 }];
  return { isTick: () => false, contains: (f: string) => f === 'updates', getValueByField: () => updates, sourceComponent: 'visitors' } as unknown as Tuple;
}
const tick = { isTick: () => true } as unknown as Tuple;

describe('view writer: a flush loop promise is returned once', () => {
  it('inputs and ticks arriving during a flush get no promise; all are acked; the views are written', async () => {
    const acked: Tuple[] = [];
    const failed: Tuple[] = [];
    const errors: string[] = [];
    const collector = {
      ack: (t: Tuple) => acked.push(t), fail: (t: Tuple) => failed.push(t), emit: () => [],
      reportError: (e: Error) => errors.push(e.message), resetTimeout: () => {},
    } as unknown as OutputCollector;
    const bolt = viewWriter({ views: PAGEVIEW_VIEWS })();
    await bolt.prepare!({ redis: server.url, flushSize: 10, tickFrequencyMs: 100 }, { topologyName: 'join' } as TopologyContext, collector);
    const returned: Promise<unknown>[] = [];
    const n = 3000;
    for (let i = 0; i < n; i++) {
      const r = bolt.execute(input(i)) as unknown;
      if (r instanceof Promise) returned.push(r);
      if (i % 100 === 0) {
        const rt = bolt.execute(tick) as unknown;
        if (rt instanceof Promise) returned.push(rt);
      }
    }
    // All 3000 arrive before the first write returns: one loop, started once.
    expect(returned.length).toBe(new Set(returned).size);
    expect(returned.length).toBe(1);
    await Promise.all(returned);
    await (bolt as unknown as { flush(): Promise<void> }).flush();
    expect(errors).toEqual([]);
    expect(failed.length).toBe(0);
    expect(acked.length).toBe(n);
    const cells = new Cells(server.url, 'join');
    try {
      const got = await cells.counts('pageviews', Array.from({ length: 7 }, (_, k) => [`http://j.example/p${k}`, Math.floor(T0 / HOUR) * HOUR] as const));
      expect(got.reduce((a, b) => a + b, 0)).toBe(n);
    } finally {
      cells.close();
    }
    await bolt.cleanup?.();
  });
});
