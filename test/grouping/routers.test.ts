import { describe, expect, it } from 'vitest';
import { createRouter, type RouteContext } from '../../src/grouping/routers.js';
import { rootId } from '../../src/topology/acker-protocol.js';
import type { Grouping } from '../../src/topology/plan.js';

/** A small deterministic generator, so shuffles are reproducible. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function ctx(over: Partial<RouteContext> = {}): RouteContext {
  return { sourceFields: ['key', 'n'], taskWorker: [], workerIndex: 0, ackerForSpoutTask: [], random: seeded(7), ...over };
}

/** Route `rows` and count tuples per task (a task listed by an array counts once per row). */
function route(g: Grouping, tasks: number[], rows: unknown[][], c = ctx()): Map<number, number> {
  const r = createRouter(g, tasks, c);
  const counts = new Map<number, number>();
  for (const row of rows) {
    const sel = r.select(row);
    for (const t of typeof sel === 'number' ? [sel] : sel) counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  return counts;
}

const rows = (n: number, key: (i: number) => unknown): unknown[][] => Array.from({ length: n }, (_, i) => [key(i), i]);

describe('routers', () => {
  it('fields: equal keys always reach the same task, distinct keys spread over all tasks', () => {
    const r = createRouter({ type: 'fields', fields: ['key'] }, [4, 5, 6, 7], ctx());
    const home = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const key = `user-${i % 200}`;
      const t = r.select([key, i]) as number;
      expect(home.get(key) ?? t).toBe(t);
      home.set(key, t);
    }
    const perTask = new Map<number, number>();
    for (const t of home.values()) perTask.set(t, (perTask.get(t) ?? 0) + 1);
    expect([...perTask.keys()].sort()).toEqual([4, 5, 6, 7]);
    for (const n of perTask.values()) expect(n).toBeGreaterThan(25); // 50 expected per task
  });

  it('fields: only the grouped fields matter, and object keys group by content', () => {
    const r = createRouter({ type: 'fields', fields: ['key'] }, [1, 2, 3, 4, 5], ctx());
    for (let i = 0; i < 50; i++) expect(r.select([{ a: i, b: [i] }, 1])).toBe(r.select([{ b: [i], a: i }, 999]));
  });

  it('all: every task gets every tuple', () => {
    expect(route({ type: 'all' }, [3, 1, 2], rows(10, String))).toEqual(new Map([[1, 10], [2, 10], [3, 10]]));
  });

  it('global: exactly one task, the lowest id', () => {
    expect(route({ type: 'global' }, [9, 4, 7], rows(20, String))).toEqual(new Map([[4, 20]]));
  });

  it('shuffle: spreads evenly (each pass is a permutation of the tasks)', () => {
    const counts = route({ type: 'shuffle' }, [1, 2, 3, 4], rows(400, () => 'same'));
    expect(counts).toEqual(new Map([[1, 100], [2, 100], [3, 100], [4, 100]]));
    // and not in a fixed round-robin order
    const r = createRouter({ type: 'shuffle' }, [1, 2, 3, 4], ctx({ random: seeded(3) }));
    const order = Array.from({ length: 40 }, () => r.select([]) as number).join('');
    expect(order).not.toBe('1234'.repeat(10));
  });

  it('localOrShuffle: only tasks on the emitter\'s thread, evenly; all tasks when none is local', () => {
    const taskWorker = [-1, 0, 1, 0, 1, 0, 1];
    const local = route({ type: 'localOrShuffle' }, [2, 3, 4, 5, 6], rows(300, String), ctx({ taskWorker, workerIndex: 1 }));
    expect(local).toEqual(new Map([[2, 100], [4, 100], [6, 100]]));
    const remote = route({ type: 'localOrShuffle' }, [2, 4, 6], rows(300, String), ctx({ taskWorker, workerIndex: 0 }));
    expect(remote).toEqual(new Map([[2, 100], [4, 100], [6, 100]]));
  });

  it('load-aware shuffle: even while every thread is idle; a loaded thread\'s tasks get less, a saturated one\'s none until it drains', () => {
    const taskWorker = [-1, 0, 1, 0, 1];
    const loads = [0, 0];
    const c = ctx({ taskWorker, workerIndex: 0, load: (w) => loads[w]! });
    const r = createRouter({ type: 'shuffle' }, [1, 2, 3, 4], c);
    const count = (n: number) => {
      const m = new Map<number, number>();
      for (let i = 0; i < n; i++) { const t = r.select([]) as number; m.set(t, (m.get(t) ?? 0) + 1); }
      return m;
    };
    expect(count(160)).toEqual(new Map([[1, 40], [2, 40], [3, 40], [4, 40]])); // 10 passes of 4 copies each
    loads[1] = 1; // thread 1's frame window is full: its tasks drop out of the next passes
    count(16); // the pass built before the change runs out
    expect(count(80)).toEqual(new Map([[1, 40], [3, 40]]));
    loads[1] = 0.5; // half the copies
    count(8);
    expect(count(120)).toEqual(new Map([[1, 40], [2, 20], [3, 40], [4, 20]]));
    loads[0] = 1; loads[1] = 1; // all saturated: even, backpressure does the rest
    count(12);
    expect(count(40)).toEqual(new Map([[1, 10], [2, 10], [3, 10], [4, 10]]));
  });

  it('localOrShuffle with spilling (localOrShuffleSpill): stays local until the own thread is saturated, then spills over every task', () => {
    const taskWorker = [-1, 0, 1, 0, 1];
    const loads = [0, 0];
    const r = createRouter({ type: 'localOrShuffle' }, [1, 2, 3, 4], ctx({ taskWorker, workerIndex: 0, spillLoad: (w) => loads[w]! }));
    const seen = (n: number) => new Set(Array.from({ length: n }, () => r.select([]) as number));
    expect(seen(80)).toEqual(new Set([1, 3]));
    loads[0] = 1;
    seen(8); // the local pass built before
    expect(seen(80)).toEqual(new Set([2, 4])); // own thread saturated, the peer idle: the peer's tasks
    loads[0] = 0.5;
    seen(16);
    expect(seen(80)).toEqual(new Set([1, 3]));
  });

  it('localOrShuffle without spilling stays local however saturated its thread, load-aware shuffle or not', () => {
    const taskWorker = [-1, 0, 1, 0, 1];
    const r = createRouter({ type: 'localOrShuffle' }, [1, 2, 3, 4], ctx({ taskWorker, workerIndex: 0, load: () => 1 }));
    expect(new Set(Array.from({ length: 80 }, () => r.select([]) as number))).toEqual(new Set([1, 3]));
  });

  it('partialKey: one hot key is split over exactly two tasks with balanced load', () => {
    for (const tasks of [[1, 2], [1, 2, 3, 4, 5], [10, 11, 12, 13, 14, 15, 16, 17]]) {
      const counts = route({ type: 'partialKey', fields: ['key'] }, tasks, rows(1001, () => 'hot'));
      expect(counts.size).toBe(2);
      const [a, b] = [...counts.values()];
      expect(Math.abs(a! - b!)).toBeLessThanOrEqual(1);
    }
  });

  it('partialKey: distinct keys still spread over every task', () => {
    const counts = route({ type: 'partialKey', fields: ['key'] }, [1, 2, 3, 4], rows(400, (i) => `k${i % 40}`));
    expect(counts.size).toBe(4);
    for (const n of counts.values()) expect(n).toBeGreaterThan(60);
  });

  it('ackerRoot: a root id goes to the acker of the spout task encoded in it', () => {
    const r = createRouter({ type: 'ackerRoot' }, [8, 9], ctx({ ackerForSpoutTask: [-1, 9, 8] }));
    expect(r.select([rootId(1, 12345)])).toBe(9);
    expect(r.select([rootId(2, 4294967295)])).toBe(8);
  });

  it('fields grouping on an undeclared field is refused when the router is built', () => {
    expect(() => createRouter({ type: 'fields', fields: ['nope'] }, [1], ctx())).toThrow(/grouping field 'nope' is not declared \(fields: key, n\)/);
  });
});
