import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTopology, type RunSummary } from '../../src/index.js';

const FIXTURE = new URL('../fixtures/runtime/groupings.ts', import.meta.url).pathname;
const COUNT = 60;

interface Row { component: string; task: number; worker: number; stream: string; key: unknown; seq: number; origin: number }

let dir: string;
let summary: RunSummary;
let rows: Row[];
/** Task -> worker of every recorder task (each reports itself at finish). */
const workerOf = new Map<number, number>();
const tasksOf = new Map<string, number[]>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'topo-groupings-'));
  const outFile = join(dir, 'rows.json');
  const handle = await runTopology(FIXTURE, { overrides: { workers: 2 }, config: { count: COUNT, outFile } });
  summary = await handle.completion;
  const raw = JSON.parse(readFileSync(outFile, 'utf8')) as unknown[][];
  const all = raw.map(([component, task, worker, stream, key, seq, origin]) => ({ component, task, worker, stream, key, seq, origin }) as Row);
  for (const r of all.filter((r) => r.stream === '(task)')) {
    workerOf.set(r.task, r.worker);
    tasksOf.set(r.component, [...(tasksOf.get(r.component) ?? []), r.task].sort((a, b) => a - b));
  }
  rows = all.filter((r) => r.stream !== '(task)');
}, 30000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const of = (component: string): Row[] => rows.filter((r) => r.component === component);
const tasksHit = (component: string): number[] => [...new Set(of(component).map((r) => r.task))].sort((a, b) => a - b);

describe('groupings end to end over two worker threads', () => {
  it('completes with every tuple acked, and every recorder task ran on one of two threads', () => {
    expect(summary.status).toBe('completed');
    expect(summary.workers).toBe(2);
    expect(summary.spouts['keys']).toMatchObject({ emitted: 3 * COUNT, acked: 3 * COUNT, failed: 0 });
    expect(new Set(workerOf.values())).toEqual(new Set([0, 1]));
  });

  it('fields: equal keys on one task, the six keys over more than one task', () => {
    const byKey = new Map<unknown, Set<number>>();
    for (const r of of('fields')) byKey.set(r.key, (byKey.get(r.key) ?? new Set()).add(r.task));
    expect(byKey.size).toBe(6);
    for (const tasks of byKey.values()) expect(tasks.size).toBe(1);
    expect(of('fields')).toHaveLength(COUNT);
    expect(tasksHit('fields').length).toBeGreaterThan(1);
  });

  it('shuffle: every tuple once, spread evenly over the three tasks', () => {
    expect(of('shuffle')).toHaveLength(COUNT);
    for (const t of tasksOf.get('shuffle')!) expect(of('shuffle').filter((r) => r.task === t)).toHaveLength(COUNT / 3);
  });

  it('all: every task gets every tuple', () => {
    for (const t of tasksOf.get('all')!) {
      expect(of('all').filter((r) => r.task === t).map((r) => r.seq).sort((a, b) => a - b)).toEqual([...Array(COUNT).keys()]);
    }
  });

  it('global: exactly one task, the lowest id', () => {
    expect(of('global')).toHaveLength(COUNT);
    expect(tasksHit('global')).toEqual([tasksOf.get('global')![0]]);
  });

  it('localOrShuffle: only the tasks on the spout\'s thread, though the component has tasks on both', () => {
    const origin = of('local')[0]!.origin;
    const tasks = tasksOf.get('local')!;
    const local = tasks.filter((t) => workerOf.get(t) === origin);
    expect(local.length).toBeGreaterThan(0);
    expect(local.length).toBeLessThan(tasks.length);
    expect(of('local')).toHaveLength(COUNT);
    expect(tasksHit('local')).toEqual(local);
    for (const r of of('local')) expect(r.worker).toBe(origin);
  });

  it('partialKey: the hot key is split over exactly two tasks, evenly', () => {
    const hit = tasksHit('partial');
    expect(hit).toHaveLength(2);
    const [a, b] = hit.map((t) => of('partial').filter((r) => r.task === t).length);
    expect(a! + b!).toBe(COUNT);
    expect(Math.abs(a! - b!)).toBeLessThanOrEqual(1);
  });

  it('direct: each tuple reached exactly the task the spout chose', () => {
    expect(of('direct')).toHaveLength(COUNT);
    for (const r of of('direct')) expect(r.task).toBe(Number(r.key));
    expect(tasksHit('direct')).toEqual(tasksOf.get('direct'));
  });
});
