// Storm API pieces end to end over two worker threads (fixture: test/fixtures/runtime/storm-api.ts):
// a custom grouping, a spout's own maxSpoutPending, and a component's own default configuration.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runTopology } from '../../src/index.js';
import { fixture, freshDir } from '../runtime/results.js';

const COUNT = 200;
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

async function run(config: Record<string, unknown> = {}) {
  const dir = freshDir('storm-api');
  dirs.push(dir);
  const errors: string[] = [];
  const handle = await runTopology(fixture('storm-api.ts'), {
    overrides: { workers: 2 }, config: { count: COUNT, outDir: dir, ...config }, onError: (e) => errors.push(e.message),
  });
  const summary = await handle.completion;
  const read = (prefix: string) => readdirSync(dir).filter((n) => n.startsWith(prefix)).map((n) => [n, JSON.parse(readFileSync(join(dir, n), 'utf8'))] as const);
  return { summary, errors, read };
}

describe('Storm API', () => {
  it('routes each tuple where a custom grouping says, on every thread; holds a spout to its own maxSpoutPending; merges a component\'s own config', async () => {
    const { summary, read, errors } = await run();
    expect(summary.status).toBe('completed');
    expect(errors).toEqual([]);
    // mod-<task>-<index>.json: index i must hold exactly the ids n with n % 3 === i.
    const mods = read('mod-');
    expect(mods).toHaveLength(3);
    for (const [name, got] of mods) {
      const index = Number(/mod-\d+-(\d+)\.json/.exec(name)![1]);
      const want = Array.from({ length: COUNT }, (_, n) => n).filter((n) => n % 3 === index);
      expect([...(got as number[])].sort((a, b) => a - b)).toEqual(want);
    }
    const hold = Object.fromEntries(read('hold-').map(([n, v]) => [n, v as { maxHeld: number }]));
    // The run's maxSpoutPending is 1000: only setMaxSpoutPending(3) keeps 'limited' at 3 trees.
    expect(hold['hold-holdLimited.json']!.maxHeld).toBeGreaterThan(0);
    expect(hold['hold-holdLimited.json']!.maxHeld).toBeLessThanOrEqual(3);
    expect(hold['hold-holdFree.json']!.maxHeld).toBeGreaterThan(3);
    // The hold bolts ack only on ticks, which only their getComponentConfiguration asks for.
    expect(summary.spouts['limited']!.acked).toBe(COUNT);
    expect(summary.spouts['free']!.acked).toBe(COUNT);
  }, 60_000);

  it('fails the emit of a tuple a custom grouping sends to a task that is not a target, naming the grouping, and goes on', async () => {
    const { summary, errors } = await run({ badGrouping: true });
    expect(errors.join('\n')).toMatch(/custom grouping of bolt 'mod' on 'keys' stream 'default' chose task 999, which is not one of its target tasks \(targets: \d+, \d+, \d+\)/);
    expect(summary.spouts['keys']!.acked).toBe(COUNT);
    expect(summary.status).toBe('completed');
  }, 60_000);
});
