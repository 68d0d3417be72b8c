// Task hooks (builder.addTaskHook, context.addTaskHook) and per-thread shared resources
// (builder.addSharedResource, context.getSharedResource) over two worker threads
// (fixture: test/fixtures/runtime/hooks.ts).
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runTopology, TopologyBuilder } from '../../src/index.js';
import { fixture, freshDir } from './results.js';
import { SentenceSpout } from '../fixtures/topology/sentence-spout.js';
import { SharedResources } from '../../src/runtime/worker/shared-resources.js';

const COUNT = 300;
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Counts { emit: number; outTasks: number; spoutAck: number; spoutFail: number; boltExecute: number; boltAck: number; boltFail: number }

async function run(config: Record<string, unknown> = {}) {
  const dir = freshDir('hooks');
  dirs.push(dir);
  const errors: string[] = [];
  const h = await runTopology(fixture('hooks.ts'), { overrides: { workers: 2 }, config: { count: COUNT, outDir: dir, ...config }, onError: (e) => errors.push(e.message) });
  const summary = await h.completion;
  const files = readdirSync(dir);
  const json = (n: string) => JSON.parse(readFileSync(join(dir, n), 'utf8'));
  return { summary, errors, files, json };
}

describe('task hooks and shared resources', () => {
  it('calls every hook for every event of its task, and makes one shared resource per thread', async () => {
    const { summary, errors, files, json } = await run();
    expect(summary.status).toBe('completed');
    expect(errors).toEqual([]);
    const hooks = files.filter((n) => n.startsWith('hook-')).map((n) => ({ name: n, ...(json(n) as Counts) }));
    // The topology-wide hook on the spout task and on the 4 bolt tasks; each bolt's own hook too.
    expect(hooks.filter((h) => h.name.endsWith('-all.json'))).toHaveLength(5);
    expect(hooks.filter((h) => h.name.endsWith('-own.json'))).toHaveLength(4);
    const spout = hooks.find((h) => h.emit > 0)!;
    expect(spout).toMatchObject({ emit: COUNT, outTasks: COUNT, spoutAck: COUNT, spoutFail: 0, boltExecute: 0 });
    const sum = (kind: string, k: keyof Counts) => hooks.filter((h) => h.name.endsWith(`-${kind}.json`) && h.emit === 0).reduce((a, h) => a + h[k], 0);
    for (const kind of ['all', 'own']) {
      expect(sum(kind, 'boltExecute')).toBe(COUNT);
      expect(sum(kind, 'boltAck')).toBe(COUNT);
      expect(sum(kind, 'boltFail')).toBe(0);
    }
    // Each thread hosting 'pass' tasks made the resource once, shared by all its tasks.
    const conns = files.filter((n) => n.startsWith('conn-')).map((n) => json(n) as { thread: number; tasks: number[] });
    expect(conns.length).toBeGreaterThanOrEqual(1);
    expect(new Set(conns.map((c) => c.thread)).size).toBe(conns.length);
    expect(conns.flatMap((c) => c.tasks).sort()).toHaveLength(4);
    expect(summary.bolts['pass']!.executed).toBe(COUNT);
  }, 60_000);

  it('reports a hook that throws for its task and still acks the tuple it watched', async () => {
    const { summary, errors } = await run({ throwingHook: true });
    expect(errors.some((e) => /hook boom/.test(e))).toBe(true);
    expect(summary.spouts['ids']!.acked).toBe(COUNT);
    expect(summary.bolts['pass']!.failed).toBe(0);
  }, 60_000);

  it('names an unknown resource and refuses bad declarations at build', async () => {
    const b = new TopologyBuilder();
    b.setSpout('s', SentenceSpout);
    b.addSharedResource('', () => 1).addSharedResource('x', () => 1).addSharedResource('x', () => 2);
    b.addTaskHook(5 as unknown as () => never);
    expect(() => b.build('bad')).toThrow(/addSharedResource: the name must be a non-empty string[\s\S]*shared resource 'x' is declared twice[\s\S]*addTaskHook expects a factory function returning a hook, got number/);
    let made = 0;
    const closed: unknown[] = [];
    const r = new SharedResources(new Map([['db', { create: () => ({ n: ++made }), close: (x: unknown) => void closed.push(x) }]]));
    expect(() => r.get('cache')).toThrow("no shared resource 'cache' (declared: db; declare it with builder.addSharedResource)");
    expect(r.get('db')).toBe(r.get('db'));
    expect(made).toBe(1);
    await r.closeAll(() => {});
    expect(closed).toEqual([{ n: 1 }]);
  });
});
